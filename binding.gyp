{
  "targets": [
    {
      "target_name": "knetstat",
      "sources": [
        "src-native/addon/binding.cc",
        "src-native/addon/bpf_workers.cc",
        "src-native/addon/coded_error.cc",
        "src-native/addon/dump_cursor_binding.cc",
        "src-native/addon/fd_scan_worker.cc",
        "src-native/addon/netns_binding.cc",
        "src-native/addon/sockopt_worker.cc",
        "src-native/addon/promise_worker.cc",
        "src-native/addon/record_buffer.cc",
        "src-native/addon/request_args.cc",
        "src-native/addon/source_hash_tag.cc",
        "src-native/addon/system_error.cc",
        "src-native/bpf/bpf_syscall.cc",
        "src-native/bpf/btf.cc",
        "src-native/bpf/socket_layout.cc",
        "src-native/bpf/socket_reader.cc",
        "src-native/diag/dump_cursor.cc",
        "src-native/diag/encode_request.cc",
        "src-native/diag/failure_message.cc",
        "src-native/diag/netlink_transport.cc",
        "src-native/diag/parse_reply.cc",
        "src-native/netns/in_netns.cc",
        "src-native/pidfd/read_options.cc",
        "src-native/proc/fd_scan.cc",
        "src-native/util/errno_name.cc"
      ],
      "include_dirs": ["src-native"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": [
        "NAPI_VERSION=8",
        "KNETSTAT_SOURCE_HASH=<!(node src-native/tools/source-hash.cjs)",
        # A Napi::Error that cannot be thrown into JS because the environment is being
        # torn down (a worker_threads Worker terminated mid-call) is dropped instead of
        # rethrown as a C++ exception out of a C callback (std::terminate for the
        # whole process). See doc/error_handling.md of node-addon-api (^8.9 has it).
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fexceptions"],
      "conditions": [
        ["OS != 'linux'", { "type": "none" }]
      ]
    }
  ]
}
