# synack-netsim against tcpdump and tshark: pcap files read cleanly, runs are reproducible
# by seed, and --trace prints exactly what tcpdump prints for the same capture.
add_test(NAME link/netsim_pcap
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/netsim_pcap.sh pcap $<TARGET_FILE:synack-netsim>)
add_test(NAME link/netsim_trace_vs_tcpdump
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/netsim_pcap.sh trace $<TARGET_FILE:synack-netsim>)
set_tests_properties(link/netsim_pcap link/netsim_trace_vs_tcpdump
                     PROPERTIES LABELS link TIMEOUT 600 SKIP_RETURN_CODE 77)
set_tests_properties(link/test_tun_offload PROPERTIES SKIP_RETURN_CODE 77)
