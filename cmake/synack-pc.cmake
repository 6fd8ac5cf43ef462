# Run by `cmake --install` (install(SCRIPT) in CMakeLists.txt, after an install(CODE) that
# sets SYNACK_PC_*): writes synack.pc for the prefix being installed to. DESTDIR is not part
# of the paths: the file describes where the library will be used from.
set(SYNACK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${SYNACK_PC_${kind}}")
    set(SYNACK_PC_${kind}_FULL "${SYNACK_PC_${kind}}")
  else()
    set(SYNACK_PC_${kind}_FULL "\${prefix}/${SYNACK_PC_${kind}}")
  endif()
endforeach()
configure_file("${SYNACK_PC_TEMPLATE}" "${SYNACK_PC_OUTPUT}" @ONLY)
