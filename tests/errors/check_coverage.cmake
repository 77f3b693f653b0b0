# The error/coverage test: every case has its golden output and every golden
# output has its case.
#
#   cmake -DDIR=<tests/errors> -P check_coverage.cmake
#
# A case is NAME.rnn or NAME.yaml, its golden stderr NAME.err. Fails when a
# case lacks its .err, an .err lacks its case, one NAME has both a .rnn and a
# .yaml (they would share NAME.err and the test name error/NAME), or a NAME
# has characters other than [a-z0-9_] (test names, globbing and CMake lists
# all stay simple that way), or a NAME is taken by one of the fixed tests
# in CMakeLists.txt (error/coverage, error/load_*).
cmake_minimum_required(VERSION 3.20)

if(NOT DEFINED DIR)
  message(FATAL_ERROR "check_coverage.cmake: -DDIR=... is required")
endif()

file(GLOB rnn_cases RELATIVE "${DIR}" "${DIR}/*.rnn")
file(GLOB yaml_cases RELATIVE "${DIR}" "${DIR}/*.yaml")
file(GLOB err_files RELATIVE "${DIR}" "${DIR}/*.err")

set(problems "")
set(case_names "")
foreach(case IN LISTS rnn_cases yaml_cases)
  get_filename_component(name "${case}" NAME_WLE)
  if(NOT name MATCHES "^[a-z0-9_]+$")
    string(APPEND problems "  ${case}: name must match [a-z0-9_]+\n")
  endif()
  if(name STREQUAL "coverage" OR name MATCHES "^load_")
    string(APPEND problems "  ${case}: error/${name} is the name of a fixed test\n")
  endif()
  if(name IN_LIST case_names)
    string(APPEND problems "  ${name}: both ${name}.rnn and ${name}.yaml exist\n")
  endif()
  list(APPEND case_names "${name}")
  if(NOT EXISTS "${DIR}/${name}.err")
    string(APPEND problems "  ${case}: missing ${name}.err\n")
  endif()
endforeach()
foreach(err IN LISTS err_files)
  get_filename_component(name "${err}" NAME_WLE)
  if(NOT name IN_LIST case_names)
    string(APPEND problems "  ${err}: no ${name}.rnn or ${name}.yaml\n")
  endif()
endforeach()

list(LENGTH rnn_cases n_rnn)
list(LENGTH yaml_cases n_yaml)
if(NOT problems STREQUAL "")
  message(FATAL_ERROR "error cases and .err files do not pair up:\n${problems}"
                      "(regen.sh writes missing .err files)")
endif()
message(STATUS "${n_rnn} .rnn and ${n_yaml} .yaml error cases, each with its .err")
