# The runtime's two halves (runtime/README.md): nothing in kernels/ may
# include a header of program/, so a model file (NAME.c) compiles and links
# with the kernels alone.
#   cmake -DSRC=<runtime dir> -P runtime_layering.cmake
file(GLOB program_headers RELATIVE ${SRC}/program ${SRC}/program/*.h)
file(GLOB kernel_files ${SRC}/kernels/*.c ${SRC}/kernels/*.h)
if(NOT program_headers OR NOT kernel_files)
  message(FATAL_ERROR "no runtime sources under ${SRC}")
endif()
set(failed 0)
foreach(file ${kernel_files})
  file(STRINGS ${file} includes REGEX "^#[ \t]*include")
  foreach(inc ${includes})
    foreach(h ${program_headers} yaml.h zlib.h)
      if(inc MATCHES "[\"<]${h}[\">]")
        message(SEND_ERROR "${file} includes ${h}: the kernels must not need the program")
        set(failed 1)
      endif()
    endforeach()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "runtime layering violated")
endif()
