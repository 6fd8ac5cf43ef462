# Conformance scripts (packetdrill's language, docs/conformance.md): each folder of
# tests/conformance is one test that runs its scripts in-process against synack with
# synack-sim run. The same scripts run against Linux (--kernel) from scripts/test.sh. A folder's
# VARIANTS file (runs of its scripts under other options, such as --ip_version=ipv6) is read by
# the runner itself, in both.
file(GLOB SYNACK_CONFORMANCE_DIRS LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*)
foreach(dir ${SYNACK_CONFORMANCE_DIRS})
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  get_filename_component(area ${dir} NAME)
  file(GLOB_RECURSE scripts CONFIGURE_DEPENDS ${dir}/*.pkt)
  if(NOT scripts)
    continue()
  endif()
  list(SORT scripts)
  add_test(NAME conformance/${area} COMMAND synack-sim run ${scripts})
  set_tests_properties(conformance/${area} PROPERTIES LABELS conformance TIMEOUT 300)
endforeach()
