# Every scenario synack-sim lists must be run by a test in tests/tcp (none silently skipped),
# and synack-sim itself must pass and fail as its scenarios do.
add_test(NAME tcp/every_scenario_tested
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/every_scenario_tested.sh $<TARGET_FILE:synack-sim> ${CMAKE_CURRENT_LIST_DIR})
set_tests_properties(tcp/every_scenario_tested PROPERTIES LABELS tcp TIMEOUT 120)

# synack-sim's views for learners: --cc, --csv, and its errors.
add_test(NAME tcp/sim_views
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/sim_views.sh $<TARGET_FILE:synack-sim>)
set_tests_properties(tcp/sim_views PROPERTIES LABELS tcp TIMEOUT 120)

# Every scenario again over IPv6 (issue 11 point 7), with the verdict it has over IPv4, and
# synack-sim transfer --ipv6 with the same digest; their captures read in tcpdump and tshark.
# The scenarios take well under a second of CPU in each family, in the ASan build a few.
add_test(NAME tcp/every_scenario_ipv6
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/every_scenario_ipv6.sh $<TARGET_FILE:synack-sim>)
set_tests_properties(tcp/every_scenario_ipv6 PROPERTIES LABELS tcp TIMEOUT 300)
