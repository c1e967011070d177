// Winsock option numbers newer than mingw-w64 10's headers (Windows 10
// 1709's keep-alive options), for the engine and its tests alike.
#pragma once

#include <ws2tcpip.h>

#ifndef TCP_KEEPALIVE
#define TCP_KEEPALIVE 3
#endif
#ifndef TCP_KEEPCNT
#define TCP_KEEPCNT 16
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 17
#endif
