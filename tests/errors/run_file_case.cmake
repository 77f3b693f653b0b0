# Error tests whose input cannot be a file in the repository:
#
#   cmake -DRNNC=<rnnc> -DOUT=<scratch dir> -DMODE=<mode> [-DSOURCE_H=<source.h>]
#         -P run_file_case.cmake
#
# MODE is one of
#   too_large  a spec over 10 MB, written at test time: refused by its size,
#              and the same bytes through a pipe (/dev/stdin), where the size
#              is only known to be over the limit
#   at_limit   specs of exactly the size limit (accepted) and one byte more
#              (refused); the limit is read from SOURCE_H (SOURCE_MAX_BYTES)
#   missing    a path that does not exist: the message names it
#   directory  a directory given as the spec
# Each refusal must exit with status 1, print nothing on stdout and one
# "PATH: error: ..." message on stderr. Inputs are made in OUT and rnnc runs
# there, so paths print as plain file names.
cmake_minimum_required(VERSION 3.20)

foreach(var RNNC OUT MODE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_file_case.cmake: -D${var}=... is required")
  endif()
endforeach()
set(work "${OUT}/${MODE}")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")

# Runs `rnnc check SPEC` in WORK; fails unless the exit status is WANT_STATUS
# and stderr matches the regular expression WANT_STDERR.
function(expect spec want_status want_stderr)
  execute_process(
    COMMAND "${RNNC}" check "${spec}"
    WORKING_DIRECTORY "${work}"
    RESULT_VARIABLE status
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT "${status}" STREQUAL "${want_status}")
    message(FATAL_ERROR "${spec}: exit status '${status}', expected ${want_status}\n"
                        "stderr:\n${err}")
  endif()
  if(NOT "${err}" MATCHES "${want_stderr}")
    message(FATAL_ERROR "${spec}: stderr does not match '${want_stderr}':\n${err}")
  endif()
  if(want_status EQUAL 1 AND NOT "${out}" STREQUAL "")
    message(FATAL_ERROR "${spec}: wrote to stdout on error:\n${out}")
  endif()
endfunction()

# Writes a valid spec of exactly SIZE bytes to PATH: a small model, then
# comment lines of 64 bytes, then one shorter comment line.
function(write_spec_of_size path size)
  set(head "model sized {\n  input { vocab 10  length 5 }\n  lstm enc { units 8 }\n}\n")
  string(LENGTH "${head}" head_len)
  math(EXPR pad "${size} - ${head_len}")
  math(EXPR lines "${pad} / 64")
  math(EXPR rest "${pad} % 64")
  string(REPEAT "#" 63 full_line)
  string(REPEAT "${full_line}\n" ${lines} body)
  if(rest GREATER 0)
    math(EXPR hashes "${rest} - 1")
    string(REPEAT "#" ${hashes} tail)
    string(APPEND body "${tail}\n")
  endif()
  file(WRITE "${path}" "${head}${body}")
  file(SIZE "${path}" written)
  if(NOT written EQUAL size)
    message(FATAL_ERROR "wrote ${written} bytes to ${path}, wanted ${size}")
  endif()
endfunction()

set(size_error "limited to [0-9]+ bytes")

if(MODE STREQUAL "too_large")
  math(EXPR size "10 * 1024 * 1024 + 1")
  write_spec_of_size("${work}/too_large.rnn" ${size})
  expect(too_large.rnn 1
    "^too_large\\.rnn: error: spec is ${size} bytes; specs are ${size_error}\n$")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E cat "${work}/too_large.rnn"
    COMMAND "${RNNC}" check /dev/stdin
    WORKING_DIRECTORY "${work}"
    RESULT_VARIABLE status
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  set(want "^/dev/stdin: error: spec is more than [0-9]+ bytes; specs are ${size_error}\n$")
  if(NOT "${status}" STREQUAL "1" OR NOT "${err}" MATCHES "${want}" OR
     NOT "${out}" STREQUAL "")
    message(FATAL_ERROR "piped too_large.rnn: exit status '${status}', expected 1, "
                        "stderr must match '${want}':\n${err}\nstdout:\n${out}")
  endif()
elseif(MODE STREQUAL "at_limit")
  if(NOT DEFINED SOURCE_H)
    message(FATAL_ERROR "MODE at_limit needs -DSOURCE_H=<compiler/source.h>")
  endif()
  file(STRINGS "${SOURCE_H}" define REGEX "^#define SOURCE_MAX_BYTES ")
  string(REGEX REPLACE "^#define SOURCE_MAX_BYTES +" "" expr "${define}")
  string(REGEX REPLACE "[()]" "" expr "${expr}")
  math(EXPR limit "${expr}")
  math(EXPR over "${limit} + 1")
  write_spec_of_size("${work}/at_limit.rnn" ${limit})
  expect(at_limit.rnn 0 "^$")
  write_spec_of_size("${work}/over_limit.rnn" ${over})
  expect(over_limit.rnn 1
    "^over_limit\\.rnn: error: spec is ${over} bytes; specs are limited to ${limit} bytes\n$")
elseif(MODE STREQUAL "missing")
  expect(no_such_spec.rnn 1
    "^no_such_spec\\.rnn: error: cannot open 'no_such_spec\\.rnn': [^\n]+\n$")
  expect(no_such_dir/spec.yaml 1
    "^no_such_dir/spec\\.yaml: error: cannot open 'no_such_dir/spec\\.yaml': [^\n]+\n$")
elseif(MODE STREQUAL "directory")
  file(MAKE_DIRECTORY "${work}/a_directory.rnn")
  expect(a_directory.rnn 1
    "^a_directory\\.rnn: error: 'a_directory\\.rnn' is a directory, not a spec file\n$")
  expect(. 1 "^\\.: error: '\\.' is a directory, not a spec file\n$")
else()
  message(FATAL_ERROR "run_file_case.cmake: unknown MODE '${MODE}'")
endif()
file(REMOVE_RECURSE "${work}")
