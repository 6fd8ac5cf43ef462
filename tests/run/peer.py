#!/usr/bin/env python3
"""The Linux side of tests/run/calls.sh: small services calls.c talks to, on the kernel's
TCP and UDP. Runs until killed (the test kills it), each connection in a thread.

  7001 echo      echoes everything until end of file, then closes
  7002 count     reads until end of file, answers the byte count in decimal, closes
  7003 bye       reads until end of file, answers "bye", closes
  7004 reset     reads one byte, then closes with SO_LINGER 0: a reset
  7005 callback  reads "PORT\\n", connects back to the caller's address at PORT, sends "hi",
                 reads what comes back until end of file and passes it to the caller, closes
  7006 UDP echo  answers each datagram upper-cased, to its sender
"""
import socket
import struct
import sys
import threading

HOST = sys.argv[1] if len(sys.argv) > 1 else "0.0.0.0"


def read_all(c):
    out = b""
    while True:
        d = c.recv(65536)
        if not d:
            return out
        out += d


def echo(c, a):
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)


def count(c, a):
    c.sendall(str(len(read_all(c))).encode())


def bye(c, a):
    read_all(c)
    c.sendall(b"bye")


def reset(c, a):
    c.recv(1)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def callback(c, a):
    line = b""
    while not line.endswith(b"\n"):
        d = c.recv(1)
        if not d:
            return
        line += d
    b = socket.create_connection((a[0], int(line)), timeout=10)
    b.sendall(b"hi")
    b.shutdown(socket.SHUT_WR)
    got = read_all(b)
    b.close()
    c.sendall(got)


def serve(port, fn):
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((HOST, port))
    l.listen(16)
    while True:
        c, a = l.accept()

        def run(c=c, a=a):
            try:
                fn(c, a)
            except OSError:
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


def udp_echo():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((HOST, 7006))
    while True:
        d, a = u.recvfrom(65536)
        u.sendto(d.upper(), a)


for port, fn in ((7001, echo), (7002, count), (7003, bye), (7004, reset), (7005, callback)):
    threading.Thread(target=serve, args=(port, fn), daemon=True).start()
threading.Thread(target=udp_echo, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
