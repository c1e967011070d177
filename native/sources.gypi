{
  # Every engine source (no tests). gyp rewrites paths in an included file
  # relative to that file, so these are relative to native/ and reach
  # binding.gyp as native/errors.cc and so on.
  "sources": [
    "backend.cc",
    "buffer_pool.cc",
    "errors.cc",
    "handle_table.cc",
    "socket_address.cc",
    "uring/backend_uring.cc",
    "uring/ring.cc"
  ]
}
