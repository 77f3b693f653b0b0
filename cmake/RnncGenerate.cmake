# rnnc_generate(NAME model SPEC path OUT_DIR dir [RNNC exe])
#
# Adds a build rule that runs `rnnc emit` on SPEC and writes
# OUT_DIR/NAME.h, NAME.c and NAME_main.c, again whenever SPEC or rnnc
# changes. The spec is passed relative to the project's top directory so
# the banner holds no absolute path, exactly as in generated/. rnnc is this
# tree's target when there is one (building rnnc itself), else the
# installed package's rnnc::rnnc (find_package(rnnc)).
function(rnnc_generate)
  cmake_parse_arguments(ARG "" "NAME;SPEC;OUT_DIR;RNNC" "" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SPEC OR NOT ARG_OUT_DIR)
    message(FATAL_ERROR "rnnc_generate: NAME, SPEC and OUT_DIR are required")
  endif()
  get_filename_component(spec_abs ${ARG_SPEC} ABSOLUTE)
  if(NOT EXISTS ${spec_abs})
    message(FATAL_ERROR "rnnc_generate: the spec ${spec_abs} does not exist "
                        "(SPEC is relative to ${CMAKE_CURRENT_SOURCE_DIR})")
  endif()
  if(ARG_RNNC)
    set(rnnc_exe ${ARG_RNNC})
    set(rnnc_dep ${ARG_RNNC})
  elseif(TARGET rnnc AND NOT TARGET rnnc::rnnc)
    set(rnnc_exe $<TARGET_FILE:rnnc>)
    set(rnnc_dep rnnc)
  elseif(TARGET rnnc::rnnc)
    set(rnnc_exe $<TARGET_FILE:rnnc::rnnc>)
    set(rnnc_dep $<TARGET_FILE:rnnc::rnnc>)
  else()
    message(FATAL_ERROR "rnnc_generate: no rnnc: find_package(rnnc) first, or pass RNNC")
  endif()
  file(RELATIVE_PATH spec_rel ${PROJECT_SOURCE_DIR} ${spec_abs})
  add_custom_command(
    OUTPUT ${ARG_OUT_DIR}/${ARG_NAME}.h ${ARG_OUT_DIR}/${ARG_NAME}.c
           ${ARG_OUT_DIR}/${ARG_NAME}_main.c
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ARG_OUT_DIR}
    COMMAND ${rnnc_exe} emit ${spec_rel} -o ${ARG_OUT_DIR}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DEPENDS ${spec_abs} ${rnnc_dep}
    COMMENT "rnnc emit ${spec_rel}"
    VERBATIM)
endfunction()

# rnnc_add_model(NAME model SPEC path [OUT_DIR dir] [LIBRARY])
# (OUT_DIR defaults to generated/NAME in the current binary directory.)
#
# Generates the model's C from SPEC. By default builds the standalone
# program NAME (train, eval, predict, sample, info) against the program
# library; with LIBRARY, a static library NAME of the model functions alone
# (NAME.c) against the kernels library, for embedding: link it into your
# own target and include NAME.h (its directory is on the library's
# include path).
function(rnnc_add_model)
  cmake_parse_arguments(ARG "LIBRARY" "NAME;SPEC;OUT_DIR" "" ${ARGN})
  if(NOT ARG_OUT_DIR)
    set(ARG_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated/${ARG_NAME})
  endif()
  if(TARGET rnn_program)
    set(kernels rnn_kernels)
    set(program rnn_program)
  else()
    set(kernels rnnc::kernels)
    set(program rnnc::program)
  endif()
  rnnc_generate(NAME ${ARG_NAME} SPEC ${ARG_SPEC} OUT_DIR ${ARG_OUT_DIR})
  if(ARG_LIBRARY)
    add_library(${ARG_NAME} STATIC ${ARG_OUT_DIR}/${ARG_NAME}.c ${ARG_OUT_DIR}/${ARG_NAME}.h)
    target_include_directories(${ARG_NAME} PUBLIC ${ARG_OUT_DIR})
    target_link_libraries(${ARG_NAME} PUBLIC ${kernels})
  else()
    add_executable(${ARG_NAME} ${ARG_OUT_DIR}/${ARG_NAME}.c ${ARG_OUT_DIR}/${ARG_NAME}_main.c)
    target_include_directories(${ARG_NAME} PRIVATE ${ARG_OUT_DIR})
    target_link_libraries(${ARG_NAME} PRIVATE ${program})
  endif()
endfunction()
