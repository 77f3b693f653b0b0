# Runs one golden case of `rnnc diff`:
#
#   cmake -DRNNC=<rnnc> -DDIR=<tests/diff> -DCASE=<NAME> -DOUT=<scratch dir> -P run_case.cmake
#
# `rnnc diff NAME.old.* NAME.new.*` runs in DIR, so the report names the
# files as given. The case passes when its stdout equals NAME.out byte for
# byte and the exit status is 1 (the models differ) or, for a case whose
# NAME.out says "the same model", 0. regen.sh rewrites every NAME.out.
cmake_minimum_required(VERSION 3.20)
foreach(var RNNC DIR CASE OUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_case.cmake: -D${var}=... is required")
  endif()
endforeach()
file(GLOB old RELATIVE "${DIR}" "${DIR}/${CASE}.old.*")
file(GLOB new RELATIVE "${DIR}" "${DIR}/${CASE}.new.*")
file(MAKE_DIRECTORY "${OUT}")
execute_process(COMMAND "${RNNC}" diff ${old} ${new} WORKING_DIRECTORY "${DIR}"
                RESULT_VARIABLE status OUTPUT_FILE "${OUT}/${CASE}.actual"
                ERROR_VARIABLE err)
file(READ "${DIR}/${CASE}.out" expected)
set(want 1)
if(expected MATCHES "the same model")
  set(want 0)
endif()
if(NOT "${status}" STREQUAL "${want}" OR NOT "${err}" STREQUAL "")
  message(FATAL_ERROR "${CASE}: exit status ${status} (expected ${want}); stderr: ${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${DIR}/${CASE}.out"
                        "${OUT}/${CASE}.actual" RESULT_VARIABLE differ)
if(differ)
  execute_process(COMMAND diff -u "${DIR}/${CASE}.out" "${OUT}/${CASE}.actual")
  message(FATAL_ERROR "${CASE}: the report differs from ${CASE}.out (regen.sh accepts it)")
endif()
