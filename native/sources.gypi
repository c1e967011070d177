{
  # Every engine source (no tests), per OS: the core everywhere, then each
  # platform's socket calls and backends; a Windows build compiles no Linux
  # file. gyp rewrites paths in an included file relative to that file, so
  # these are relative to native/ and reach binding.gyp as native/...
  # (native/sources.py reads the same lists for the native Makefile and the
  # mingw-w64 build.)
  "sources": [
    "backend.cc",
    "buffer_pool.cc",
    "core/engine_core.cc",
    "core/send_queue.cc",
    "errors.cc",
    "handle_table.cc",
    "socket_address.cc"
  ],
  "conditions": [
    ["OS=='linux'", {
      "sources": [
        "epoll/backend_epoll.cc",
        "platform/socket_ops_posix.cc",
        "uring/backend_uring.cc",
        "uring/ring.cc"
      ]
    }],
    ["OS=='win'", {
      "sources": [
        "iocp/backend_iocp.cc",
        "iocp/completion_port.cc",
        "iocp/io_ops.cc",
        "iocp/winsock_ext.cc",
        "platform/pipe_win.cc",
        "platform/socket_ops_win.cc"
      ]
    }]
  ]
}
