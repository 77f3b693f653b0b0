# rnnc_generate(NAME model SPEC path OUT_DIR dir [RNNC exe])
#
# Adds a build rule that runs `rnnc emit` on SPEC and writes
# OUT_DIR/NAME.h, NAME.c and NAME_main.c. The spec is passed relative to
# the project's top directory so the banner holds no absolute path, exactly
# as in generated/.
function(rnnc_generate)
  cmake_parse_arguments(ARG "" "NAME;SPEC;OUT_DIR;RNNC" "" ${ARGN})
  if(NOT ARG_RNNC)
    set(ARG_RNNC $<TARGET_FILE:rnnc>)
    set(rnnc_dep rnnc)
  endif()
  get_filename_component(spec_abs ${ARG_SPEC} ABSOLUTE)
  file(RELATIVE_PATH spec_rel ${PROJECT_SOURCE_DIR} ${spec_abs})
  add_custom_command(
    OUTPUT ${ARG_OUT_DIR}/${ARG_NAME}.h ${ARG_OUT_DIR}/${ARG_NAME}.c
           ${ARG_OUT_DIR}/${ARG_NAME}_main.c
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ARG_OUT_DIR}
    COMMAND ${ARG_RNNC} emit ${spec_rel} -o ${ARG_OUT_DIR}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DEPENDS ${spec_abs} ${rnnc_dep}
    COMMENT "rnnc emit ${spec_rel}"
    VERBATIM)
endfunction()

# rnnc_add_model(NAME model SPEC path [OUT_DIR dir])
#
# Generates the model's C from SPEC and builds the standalone program NAME
# (train, eval, predict, sample, info) against rnn_program (which brings rnn_kernels).
function(rnnc_add_model)
  cmake_parse_arguments(ARG "" "NAME;SPEC;OUT_DIR" "" ${ARGN})
  if(NOT ARG_OUT_DIR)
    set(ARG_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME})
  endif()
  rnnc_generate(NAME ${ARG_NAME} SPEC ${ARG_SPEC} OUT_DIR ${ARG_OUT_DIR})
  add_executable(${ARG_NAME} ${ARG_OUT_DIR}/${ARG_NAME}.c ${ARG_OUT_DIR}/${ARG_NAME}_main.c)
  target_include_directories(${ARG_NAME} PRIVATE ${ARG_OUT_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE rnn_program)
endfunction()
