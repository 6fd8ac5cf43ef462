# Run by `cmake --install` (install(SCRIPT) in CMakeLists.txt, after an install(CODE) that
# sets SYNACK_PC_*): writes synack.pc for the prefix being installed to, straight into it
# (under DESTDIR), so that installs of one build tree to two prefixes at once do not share a
# file in the build tree. DESTDIR is not part of the paths inside: the file describes where
# the library will be used from.
set(SYNACK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${SYNACK_PC_${kind}}")
    set(SYNACK_PC_${kind}_FULL "${SYNACK_PC_${kind}}")
  else()
    set(SYNACK_PC_${kind}_FULL "\${prefix}/${SYNACK_PC_${kind}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${SYNACK_PC_LIBDIR}")
  set(pc_dir "$ENV{DESTDIR}${SYNACK_PC_LIBDIR}/pkgconfig")
else()
  set(pc_dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${SYNACK_PC_LIBDIR}/pkgconfig")
endif()
message(STATUS "Installing: ${pc_dir}/synack.pc")
configure_file("${SYNACK_PC_TEMPLATE}" "${pc_dir}/synack.pc" @ONLY)
