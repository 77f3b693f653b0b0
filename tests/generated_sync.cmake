# generated/ is current: emit SPEC again and compare every file with the
# checked-in copy, byte for byte; on a difference print `diff -u` and fail.
#   cmake -DRNNC=... -DSRC=<project dir> -DSPEC=specs/x.rnn -DOUT=<tmp dir> -P generated_sync.cmake
get_filename_component(name ${SPEC} NAME_WE)
set(dir ${OUT}/${name})
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})
# run from the project so the banner shows the spec path as generated/ has it
execute_process(COMMAND ${RNNC} emit ${SPEC} -o ${dir} WORKING_DIRECTORY ${SRC}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rnnc emit ${SPEC} failed:\n${err}")
endif()
set(stale 0)
foreach(file ${name}.h ${name}.c ${name}_main.c)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${SRC}/generated/${file}
                          ${dir}/${file} RESULT_VARIABLE differ)
  if(differ)
    execute_process(COMMAND diff -u ${SRC}/generated/${file} ${dir}/${file})
    message(SEND_ERROR "generated/${file} is stale")
    set(stale 1)
  endif()
endforeach()
if(stale)
  message(FATAL_ERROR "regenerate: for s in specs/*.rnn; do build/rnnc emit $s -o generated; done")
endif()
