# Every scenario synack-sim lists must be run by a test in tests/tcp (none silently skipped),
# and synack-sim itself must pass and fail as its scenarios do.
add_test(NAME tcp/every_scenario_tested
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/every_scenario_tested.sh $<TARGET_FILE:synack-sim> ${CMAKE_CURRENT_LIST_DIR})
set_tests_properties(tcp/every_scenario_tested PROPERTIES LABELS tcp TIMEOUT 120)

# synack-sim's views for learners: --cc, --csv, and its errors.
add_test(NAME tcp/sim_views
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/sim_views.sh $<TARGET_FILE:synack-sim>)
set_tests_properties(tcp/sim_views PROPERTIES LABELS tcp TIMEOUT 120)
