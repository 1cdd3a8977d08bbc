#!/usr/bin/env python3
"""Holds the sockets the table tests look at, and prints them as one JSON line
({pid, ports: {name: port}}), holding them until stdin closes:

    listen4   a TCP listener on 127.0.0.1, backlog 7, SO_REUSEADDR and TCP_NODELAY set,
              one connection waiting in its accept queue (Recv-Q 1) and one accepted
    client4   the accepted connection's client: SO_KEEPALIVE and TCP_KEEPIDLE=77 set
    listen6   a dual-stack TCP listener on :: (IPV6_V6ONLY=0), backlog 5, with an
              accepted connection from 127.0.0.1: the long ::ffff:127.0.0.1 addresses
    udp4      a UDP socket on 127.0.0.1 with SO_BROADCAST set
    udp6      a UDP socket on ::1, nothing set
"""
import os
import socket

from sockets import S, T, ready_and_hold, tcp_connect, tcp_listener, tcp_pair, udp_socket

def listen4_options(s):
    s.setsockopt(S, socket.SO_REUSEADDR, 1)
    s.setsockopt(T, socket.TCP_NODELAY, 1)


def client_options(s):
    s.setsockopt(S, socket.SO_KEEPALIVE, 1)
    s.setsockopt(T, socket.TCP_KEEPIDLE, 77)


def dual_stack(s):
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)


listen4 = tcp_listener("127.0.0.1", backlog=7, configure=listen4_options)
client4, server4 = tcp_pair(listen4, configure=client_options)
waiting = tcp_connect("127.0.0.1", listen4.getsockname()[1])
listen6 = tcp_listener("::", backlog=5, configure=dual_stack)
client6, server6 = tcp_pair(listen6, addr="127.0.0.1")
udp4 = udp_socket("127.0.0.1", configure=lambda s: s.setsockopt(S, socket.SO_BROADCAST, 1))
udp6 = udp_socket("::1")
# Module-level names: every socket stays open while the script holds.

ready_and_hold({
    "pid": os.getpid(),
    "ports": {
        "listen4": listen4.getsockname()[1],
        "client4": client4.getsockname()[1],
        "listen6": listen6.getsockname()[1],
        "udp4": udp4.getsockname()[1],
        "udp6": udp6.getsockname()[1],
    },
})
