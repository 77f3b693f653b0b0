# Data flows one way: source -> frontend -> AST -> check -> IR -> canon/stats
# (-> emit). A stage may include only the headers of stages before it.
#   cmake -DSRC=<compiler dir> -P layering.cmake
set(rules
  # file            headers it must not include
  "lexer.l|ir.h check.h canon.h stats.h"
  "parser.y|ir.h check.h canon.h stats.h"
  "yaml_read.c|ir.h check.h canon.h stats.h parser.h"
  "ast.c|ir.h check.h canon.h stats.h frontend.h parser.h"
  "source.c|ast.h ir.h check.h frontend.h"
  "diag.c|ast.h ir.h check.h frontend.h"
  "check.c|frontend.h parser.h lexer.h canon.h stats.h"
  "ir.c|ast.h frontend.h check.h diag.h"
  "canon.c|ast.h frontend.h check.h diag.h parser.h"
  "stats.c|ast.h frontend.h check.h diag.h parser.h"
  "diff.c|ast.h frontend.h check.h diag.h parser.h emitter.h"
  "diff_c.c|ast.h frontend.h check.h diag.h parser.h emitter.h"
  "main.c|emitter.h")
# every file of the emit stage, whatever its name: none reaches back
file(GLOB emit_files RELATIVE ${SRC} ${SRC}/emit*.c)
foreach(f ${emit_files})
  list(APPEND rules "${f}|ast.h frontend.h check.h diag.h parser.h canon.h stats.h")
endforeach()
set(failed 0)
foreach(rule ${rules})
  string(REPLACE "|" ";" parts "${rule}")
  list(GET parts 0 file)
  list(GET parts 1 banned)
  string(REPLACE " " ";" banned "${banned}")
  file(STRINGS ${SRC}/${file} includes REGEX "^#include \"")
  foreach(inc ${includes})
    foreach(h ${banned})
      if(inc MATCHES "\"${h}\"")
        message(SEND_ERROR "${file} includes ${h}: that reaches backwards in the data flow")
        set(failed 1)
      endif()
    endforeach()
  endforeach()
endforeach()
# Calls go one way inside the emit stage too: emit.c runs the file
# emitters, and no emitter calls back into the stage's entry point.
foreach(f ${emit_files})
  if(NOT f STREQUAL "emit.c")
    file(STRINGS ${SRC}/${f} calls REGEX "emit_model\\(")
    if(calls)
      message(SEND_ERROR "${f} calls emit_model: the emitters must not call back into emit.c")
      set(failed 1)
    endif()
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "layering violated")
endif()
