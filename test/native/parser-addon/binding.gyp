# The test addon: the production netlink reply parser (src-native/diag/parse_reply.cc)
# behind one synchronous parseReply(bytes, protocol?), so tests decode crafted
# datagrams with the production EntryDecoder. Test-only: it is not in the package
# ("files" has no test/) and never in the package root's build/, where node-gyp-build
# looks for knetstat.node. test/helpers/parser-addon.ts builds it on demand in a cache
# directory; test/asan/run.sh builds it sanitized. Flags and defines as the real
# addon's (../../../binding.gyp).
{
  "targets": [
    {
      "target_name": "knetstat_parser_testing",
      "sources": [
        "addon.cc",
        "parse_reply_binding.cc",
        "../../../src-native/addon/coded_error.cc",
        "../../../src-native/addon/record_buffer.cc",
        "../../../src-native/addon/request_args.cc",
        "../../../src-native/diag/parse_reply.cc",
        "../../../src-native/util/errno_name.cc"
      ],
      "include_dirs": ["../../../src-native"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": [
        "NAPI_VERSION=8",
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
