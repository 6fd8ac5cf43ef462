# The trace area's tests beyond its cmocka units: captures written by gen_captures and real
# Linux traffic, each printed by synack-dump and by tcpdump and required to be identical.
add_executable(trace_gen_captures ${area_dir}/gen_captures.c)
target_include_directories(trace_gen_captures PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(trace_gen_captures PRIVATE synack)

set(SYNACK_TRACE_FUZZ_COUNT 40000 CACHE STRING
	"Random Ethernet frames in the tcpdump differential test (plus a quarter as many raw IP)")
set(SYNACK_TRACE_FUZZ_SEED 0x5eed5eed CACHE STRING "Seed of the tcpdump differential test")

add_test(NAME trace/tcpdump_crafted
	COMMAND ${area_dir}/compare.sh $<TARGET_FILE:synack-dump>
		${CMAKE_CURRENT_BINARY_DIR}/trace/crafted
		--gen $<TARGET_FILE:trace_gen_captures> crafted)
add_test(NAME trace/tcpdump_fuzz
	COMMAND ${area_dir}/compare.sh $<TARGET_FILE:synack-dump>
		${CMAKE_CURRENT_BINARY_DIR}/trace/fuzz
		--gen $<TARGET_FILE:trace_gen_captures> fuzz
		${SYNACK_TRACE_FUZZ_COUNT} ${SYNACK_TRACE_FUZZ_SEED})
add_test(NAME trace/linux_netns
	COMMAND ${area_dir}/netns_capture.sh $<TARGET_FILE:synack-dump> ${area_dir}/compare.sh
		${CMAKE_CURRENT_BINARY_DIR}/trace/netns)
add_test(NAME trace/dump_errors
	COMMAND ${area_dir}/dump_errors.sh $<TARGET_FILE:synack-dump>
		${CMAKE_CURRENT_BINARY_DIR}/trace/errors)
set_tests_properties(trace/tcpdump_crafted trace/tcpdump_fuzz trace/linux_netns trace/dump_errors
	PROPERTIES LABELS trace SKIP_RETURN_CODE 77 TIMEOUT 900)
