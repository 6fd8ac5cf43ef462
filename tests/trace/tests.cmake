# The trace area's tests beyond its cmocka units: captures written by gen_captures and real
# Linux traffic, each printed by synack-dump and by tcpdump and required to be identical.
add_executable(trace_gen_captures ${area_dir}/gen_captures.c)
target_include_directories(trace_gen_captures PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(trace_gen_captures PRIVATE synack PkgConfig::PCAP)

set(SYNACK_TRACE_FUZZ_COUNT 40000 CACHE STRING
	"Random Ethernet frames (IPv4, IPv6, ARP) in the tcpdump differential test, plus a quarter as many raw IP and a tenth as many of each of LINUX_SLL, LINUX_SLL2, NULL and LOOP")
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
# synack-sim's pcapng capture: comments on the frames the simulated network lost, read by
# tcpdump, tshark and synack-dump.
add_test(NAME trace/sim_pcapng_comments
	COMMAND ${area_dir}/sim_comments.sh $<TARGET_FILE:synack-sim> $<TARGET_FILE:synack-dump>
		${CMAKE_CURRENT_BINARY_DIR}/trace/sim_comments)
set_tests_properties(trace/tcpdump_crafted trace/tcpdump_fuzz trace/linux_netns trace/dump_errors
	trace/sim_pcapng_comments
	PROPERTIES LABELS trace SKIP_RETURN_CODE 77 TIMEOUT 900)
# The pictures (src/trace/picture.h): test_picture's hand-built runs, and in a real browser:
# gen_pictures writes a ladder, a plot and a page, headless Chromium renders each to PNG and
# check_picture.py checks pixels only a correct drawing has.
target_sources(trace_test_picture PRIVATE ${area_dir}/pic_inputs.c)
add_executable(trace_gen_pictures ${area_dir}/gen_pictures.c ${area_dir}/pic_inputs.c)
target_include_directories(trace_gen_pictures PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(trace_gen_pictures PRIVATE synack)
add_test(NAME trace/pictures_browser
	COMMAND ${area_dir}/pictures_browser.sh $<TARGET_FILE:trace_gen_pictures>
		${CMAKE_CURRENT_BINARY_DIR}/trace/pictures)
set_tests_properties(trace/pictures_browser PROPERTIES LABELS trace SKIP_RETURN_CODE 77 TIMEOUT 180)
# synack-dump's pictures of captures: lost frames from synack-sim's comments, and a capture
# cut to its headers drawn as the whole one.
add_test(NAME trace/dump_pictures
	COMMAND ${area_dir}/dump_pictures.sh $<TARGET_FILE:synack-sim> $<TARGET_FILE:synack-dump>
		${CMAKE_CURRENT_BINARY_DIR}/trace/dump_pictures)
set_tests_properties(trace/dump_pictures PROPERTIES LABELS trace SKIP_RETURN_CODE 77 TIMEOUT 120)
