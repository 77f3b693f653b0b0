# Runs one golden error case:
#
#   cmake -DRNNC=<rnnc> -DDIR=<tests/errors> -DCASE=<NAME.rnn|NAME.yaml>
#         -DOUT=<scratch dir> -P run_case.cmake
#
# `rnnc check CASE` is run with DIR as the working directory, so messages
# name the file as `NAME.rnn:3:5: ...`. The case passes when rnnc exits with
# status 1, writes nothing to stdout, and its stderr equals NAME.err byte for
# byte. stderr goes straight to a file (OUT/NAME.actual) and the files are
# compared with `cmake -E compare_files`: no CMake string or list handling
# touches the bytes. On a mismatch the diff is printed; to accept an
# intentional change run tests/errors/regen.sh and review the diff.
cmake_minimum_required(VERSION 3.20)

foreach(var RNNC DIR CASE OUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_case.cmake: -D${var}=... is required")
  endif()
endforeach()

get_filename_component(name "${CASE}" NAME_WLE)
set(expected "${DIR}/${name}.err")
set(actual "${OUT}/${name}.actual")
set(stdout_file "${OUT}/${name}.stdout")
if(NOT EXISTS "${expected}")
  message(FATAL_ERROR "${CASE}: no expected output ${name}.err (run regen.sh)")
endif()
file(MAKE_DIRECTORY "${OUT}")

execute_process(
  COMMAND "${RNNC}" check "${CASE}"
  WORKING_DIRECTORY "${DIR}"
  RESULT_VARIABLE status
  OUTPUT_FILE "${stdout_file}"
  ERROR_FILE "${actual}")

set(failed 0)
if(NOT "${status}" STREQUAL "1")
  message(SEND_ERROR "${CASE}: rnnc exit status was '${status}', expected 1")
  set(failed 1)
endif()

file(SIZE "${stdout_file}" stdout_size)
if(NOT stdout_size EQUAL 0)
  file(READ "${stdout_file}" stdout_text)
  message(SEND_ERROR "${CASE}: rnnc wrote to stdout:\n${stdout_text}")
  set(failed 1)
endif()

execute_process(
  COMMAND "${CMAKE_COMMAND}" -E compare_files "${expected}" "${actual}"
  RESULT_VARIABLE differ
  OUTPUT_QUIET ERROR_QUIET)
if(NOT differ EQUAL 0)
  set(failed 1)
  find_program(DIFF_PROGRAM diff)
  if(DIFF_PROGRAM)
    execute_process(
      COMMAND "${DIFF_PROGRAM}" -u "${expected}" "${actual}"
      OUTPUT_VARIABLE diff_text
      ERROR_VARIABLE diff_text)
    message("${CASE}: stderr differs from ${name}.err:\n${diff_text}")
  else()
    file(READ "${expected}" expected_text)
    file(READ "${actual}" actual_text)
    message("${CASE}: stderr differs from ${name}.err\n"
            "--- expected\n${expected_text}\n+++ actual (${actual})\n${actual_text}")
  endif()
  message(SEND_ERROR "${CASE}: stderr does not match ${name}.err")
endif()

if(failed)
  message(FATAL_ERROR "${CASE}: FAILED (actual stderr kept in ${actual})")
endif()
