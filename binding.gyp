{
  "targets": [
    {
      "target_name": "iocp_net",
      "includes": ["native/sources.gypi"],
      "sources": [
        "src/addon.cc",
        "src/address_info.cc",
        "src/close_phase.cc",
        "src/engine.cc",
        "src/engine_methods.cc",
        "src/event_batch.cc",
        "src/io_callback.cc",
        "src/receive_buffers.cc",
        "src/loop_driver.cc",
        "src/write_pins.cc",
        "src/writev.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "cflags!": ["-fno-exceptions"],
      "conditions": [
        ["OS=='win'", {
          # The IOCP backend (native/sources.gypi lists its files): Winsock 2
          # with its Microsoft extensions (AcceptEx, ConnectEx), and
          # if_nametoindex for IPv6 scopes; Windows 10 APIs.
          "defines": ["WIN32_LEAN_AND_MEAN", "NOMINMAX", "_WIN32_WINNT=0x0A00"],
          "libraries": ["ws2_32.lib", "mswsock.lib", "iphlpapi.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": {
              "ExceptionHandling": 1,
              "AdditionalOptions": ["/std:c++17", "/W3"]
            }
          }
        }]
      ]
    }
  ]
}
