# synack-run's calls against Linux (issue 13): tests/run/calls.c, a plain program (nothing
# of synack in it), run on the kernel's TCP and under synack-run; the outputs must match.
add_executable(run_calls ${CMAKE_CURRENT_LIST_DIR}/calls.c)
if(SYNACK_SANITIZE)
  # A program run under the preload library, as the programs it is for: no sanitizer.
  set_property(TARGET run_calls PROPERTY COMPILE_OPTIONS "")
  set_property(TARGET run_calls PROPERTY LINK_OPTIONS "")
endif()
add_test(NAME run/calls COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/calls.sh $<TARGET_FILE:run_calls>
                                     $<TARGET_FILE:synack-run>)
set_tests_properties(run/calls PROPERTIES LABELS run TIMEOUT 300 SKIP_RETURN_CODE 77)
