# The runtime's shell tests: rt_echo (a TCP/UDP echo server on the blocking API) on a TUN
# device in a network namespace, driven by Linux's nc and listed by synack-ss.
add_executable(rt_echo ${area_dir}/rt_echo.c)
target_include_directories(rt_echo PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(rt_echo PRIVATE synack)

add_test(NAME rt/basic
	COMMAND bash ${area_dir}/rt_basic.sh $<TARGET_FILE:rt_echo> $<TARGET_FILE:synack-ss>
		${CMAKE_CURRENT_BINARY_DIR}/rt/basic)
set_tests_properties(rt/basic PROPERTIES LABELS rt TIMEOUT 300 SKIP_RETURN_CODE 77)

# Tunnel mode against Linux (TNL-1, TNL-2): rt_tunnel answers connections Linux opens to
# addresses routed into its TUN, after a flow hook's verdict.
add_executable(rt_tunnel ${area_dir}/rt_tunnel.c)
target_link_libraries(rt_tunnel PRIVATE synack Threads::Threads)
add_test(NAME rt/tunnel COMMAND bash ${area_dir}/rt_tunnel.sh $<TARGET_FILE:rt_tunnel>)
set_tests_properties(rt/tunnel PROPERTIES LABELS rt TIMEOUT 120 SKIP_RETURN_CODE 77)

# Shards on a multi-queue TUN against Linux: the bench's sharded server (stack_synack
# --cores 2) serving echoes from the kernel's side, spread over both queues, over IPv4 and
# IPv6 (about 2.5 s).
add_executable(shard_server ${PROJECT_SOURCE_DIR}/bench/stack_synack.c)
target_include_directories(shard_server PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/bench)
target_link_libraries(shard_server PRIVATE synack Threads::Threads)
add_test(NAME rt/shards_tun
	COMMAND bash ${area_dir}/shards_tun.sh $<TARGET_FILE:shard_server> ${CMAKE_CURRENT_BINARY_DIR}/rt/shards_tun)
set_tests_properties(rt/shards_tun PROPERTIES LABELS rt TIMEOUT 300 SKIP_RETURN_CODE 77)
