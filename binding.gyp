{
  "targets": [
    {
      "target_name": "iocp_net",
      "includes": ["native/sources.gypi"],
      "sources": [
        "src/addon.cc",
        "src/address_info.cc",
        "src/engine.cc",
        "src/engine_methods.cc",
        "src/event_batch.cc",
        "src/receive_buffers.cc",
        "src/loop_driver.cc",
        "src/write_pins.cc",
        "src/writev.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "cflags!": ["-fno-exceptions"]
    }
  ]
}
