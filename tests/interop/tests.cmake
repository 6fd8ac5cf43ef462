# Interop: the tools on real TUN and TAP devices against Linux's own programs (curl, nc,
# ping, ss) in network namespaces the tests create and delete; every capture the tools
# write is read by tshark. Skipped (77) when not root, without /dev/net/tun or a program.
# Debian packages: curl netcat-openbsd iputils-ping iproute2 tshark coreutils findutils.
set(SYNACK_INTEROP_DIR ${CMAKE_CURRENT_LIST_DIR})
if(TARGET synack-ss)
  set(SYNACK_INTEROP_SS $<TARGET_FILE:synack-ss>)
else()
  set(SYNACK_INTEROP_SS "")
endif()
add_test(NAME interop/httpd
         COMMAND bash ${SYNACK_INTEROP_DIR}/httpd.sh $<TARGET_FILE:synack-httpd> ${SYNACK_INTEROP_SS})
add_test(NAME interop/nc
         COMMAND bash ${SYNACK_INTEROP_DIR}/nc.sh $<TARGET_FILE:synack-nc> ${SYNACK_INTEROP_SS})
add_test(NAME interop/ping COMMAND bash ${SYNACK_INTEROP_DIR}/ping.sh $<TARGET_FILE:synack-nc>)
add_test(NAME interop/ping6 COMMAND bash ${SYNACK_INTEROP_DIR}/ping6.sh $<TARGET_FILE:synack-nc>)
add_test(NAME interop/tap
         COMMAND bash ${SYNACK_INTEROP_DIR}/tap.sh $<TARGET_FILE:synack-httpd> $<TARGET_FILE:synack-nc>)
# IPv6 over TAP (IP6-5): neighbour discovery both ways, NUD probing, DAD and a DAD conflict.
add_test(NAME interop/tap6 COMMAND bash ${SYNACK_INTEROP_DIR}/tap6.sh $<TARGET_FILE:synack-nc>)
set_tests_properties(interop/httpd interop/nc interop/ping interop/ping6 interop/tap interop/tap6
                     PROPERTIES LABELS interop TIMEOUT 600 SKIP_RETURN_CODE 77)
# TCP and UDP over IPv6 (IP6-6): the same nc and httpd checks, INTEROP_FAMILY=6.
add_test(NAME interop/nc6
         COMMAND bash ${SYNACK_INTEROP_DIR}/nc.sh $<TARGET_FILE:synack-nc> ${SYNACK_INTEROP_SS})
add_test(NAME interop/httpd6
         COMMAND bash ${SYNACK_INTEROP_DIR}/httpd.sh $<TARGET_FILE:synack-httpd> ${SYNACK_INTEROP_SS})
set_tests_properties(interop/nc6 interop/httpd6 PROPERTIES LABELS interop TIMEOUT 600 SKIP_RETURN_CODE 77
                     ENVIRONMENT INTEROP_FAMILY=6)
# One device with both families, one dual-stack listener serving curl -4 and curl -6 at once.
add_test(NAME interop/dual
         COMMAND bash ${SYNACK_INTEROP_DIR}/dual.sh $<TARGET_FILE:synack-httpd> $<TARGET_FILE:synack-ss>)
set_tests_properties(interop/dual PROPERTIES LABELS interop TIMEOUT 300 SKIP_RETURN_CODE 77)
# Path MTU over IPv6 (IP6-4): a Packet Too Big from a Linux router in the middle of a transfer.
add_test(NAME interop/pmtu6 COMMAND bash ${SYNACK_INTEROP_DIR}/pmtu6.sh $<TARGET_FILE:synack-nc>)
set_tests_properties(interop/pmtu6 PROPERTIES LABELS interop TIMEOUT 120 SKIP_RETURN_CODE 77)
# The tools as an operator meets them (issue 12 point 7): port 0, TUNSETIFF's reasons, the
# device deleted under them, synack-ss and silent control sockets, SIGTERM within 1 s.
add_test(NAME interop/operator
         COMMAND bash ${SYNACK_INTEROP_DIR}/operator.sh $<TARGET_FILE:synack-nc> $<TARGET_FILE:synack-httpd>
                 $<TARGET_FILE:synack-ss> $<TARGET_FILE:synack-sim> $<TARGET_FILE:synack-dump>
                 $<TARGET_FILE:rt_echo>)
set_tests_properties(interop/operator PROPERTIES LABELS interop TIMEOUT 120 SKIP_RETURN_CODE 77)
# Real-path loss (issue 10): 16 MiB each way through 2% and 5% random drops, release build only
# (the sanitizer build is several times slower; bench/lossy.sh measures the speed).
if(NOT SYNACK_SANITIZE)
  add_test(NAME interop/lossy COMMAND bash ${SYNACK_INTEROP_DIR}/lossy.sh $<TARGET_FILE:synack-nc>)
  set_tests_properties(interop/lossy PROPERTIES LABELS interop TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
# Unmodified programs on synack (issue 13): python3 http.server, nginx (master and two forked
# workers), redis-server, iperf3, curl and a UDP echo under synack-run, against Linux's
# curl, redis-benchmark, iperf3, nc and ss. The sanitizer build (SYNACK_TRANSFER_MIB=8)
# leaves out iperf3's timed runs.
add_test(NAME interop/run COMMAND bash ${SYNACK_INTEROP_DIR}/run.sh $<TARGET_FILE:synack-run>)
# RUN_SERIAL: its iperf3 and parallel 100 MiB downloads take both CPUs for seconds, which
# would starve the timing checks of tests running beside it (interop/operator's).
set_tests_properties(interop/run PROPERTIES LABELS interop TIMEOUT 450 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
if(SYNACK_SANITIZE)
  set_tests_properties(interop/run PROPERTIES ENVIRONMENT SYNACK_RUN_IPERF=0)
endif()
# synack-tunnel (issue 14): a command in a namespace of its own reaching the host's servers
# through synack in tunnel mode, over IPv4 and IPv6.
add_test(NAME interop/tunnel COMMAND bash ${SYNACK_INTEROP_DIR}/tunnel.sh $<TARGET_FILE:synack-tunnel>)
set_tests_properties(interop/tunnel PROPERTIES LABELS interop TIMEOUT 450 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
