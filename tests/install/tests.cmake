# synack installed and consumed as a library (tests/install/install.sh): `cmake --install`
# of this build into a temporary prefix, consumer.c built outside the tree with pkg-config
# and find_package, and a project that add_subdirectory()s the tree; then the examples
# (tests/install/examples.sh). Release builds only: the sanitizer and fuzzer builds'
# libraries need their runtimes in every consumer.
if(SYNACK_INSTALL AND NOT SYNACK_SANITIZE AND NOT SYNACK_FUZZ)
  add_test(NAME install/consume
    COMMAND bash ${area_dir}/install.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR}
      ${PROJECT_VERSION} ${CMAKE_C_COMPILER})
  set_tests_properties(install/consume PROPERTIES LABELS install TIMEOUT 300 SKIP_RETURN_CODE 77)
  # The examples (examples/, tests/install/examples.sh): installed into a temporary prefix,
  # each built outside the tree with pkg-config and with find_package, and run against
  # Linux in network namespaces (root; skipped otherwise). Issue 12 asks for at most 2 min.
  add_test(NAME install/examples
    COMMAND bash ${area_dir}/examples.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER})
  set_tests_properties(install/examples PROPERTIES LABELS install TIMEOUT 120 SKIP_RETURN_CODE 77)
endif()
