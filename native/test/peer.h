// A test's peer: plain blocking sockets on the other end of the engine's
// connections, run apart from the engine's loop, so that nothing but the
// engine's own completions can wake that loop (rules 5, 15).
//
// Where the peer runs is per platform, the test logic is shared:
// - POSIX (peer_posix.cc): another process (fork). A peer thread in our
//   process could wake the loop through a shared eventfd or ring by accident
//   and hide a missed wake-up.
// - Windows (peer_win.cc): a thread. IOCP's wake-ups come from its own I/O
//   threads (GetQueuedCompletionStatusEx, then uv_async_send / the test's
//   event); a peer thread using blocking Winsock calls shares nothing with
//   them, so it cannot wake the loop either. (Windows has no fork.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "socket_address.h"

namespace iocpnet {
namespace test {

#ifdef _WIN32
using RawSocket = uintptr_t;  // SOCKET
#else
using RawSocket = int;
#endif
constexpr RawSocket kNoRawSocket = static_cast<RawSocket>(-1);

// Blocking sockets for peers.
RawSocket RawListen(const SocketAddress& address, int backlog);  // kNoRawSocket on failure
uint16_t RawLocalPort(RawSocket socket);
RawSocket RawAccept(RawSocket listener);
RawSocket RawConnectTcp(uint16_t port);  // 127.0.0.1, TCP_NODELAY
// One recv / send: the byte count, or <= 0 (end or error). Per platform.
int64_t RawReceiveSome(RawSocket socket, void* data, size_t size);
int64_t RawSendSome(RawSocket socket, const void* data, size_t size);
// Every byte, or false (peer.cc).
bool ReadFully(RawSocket socket, void* data, size_t size);
bool WriteFully(RawSocket socket, const void* data, size_t size);
void RawSetNoDelay(RawSocket socket);
void RawShutdownWrite(RawSocket socket);
// Reads until EOF or an error (the other side closed).
void RawReadToEnd(RawSocket socket);
void RawClose(RawSocket socket);
void RawResetClose(RawSocket socket);  // linger {1, 0}: RST
void SleepMs(int ms);
// A path for a Unix-domain listener (POSIX) or a named pipe (Windows).
std::string TempPipePath(const char* tag);
void RemovePipePath(const std::string& path);

// The peer: runs `body` apart from the test (see above); its return value is
// the peer's exit status. Killed (POSIX) or waited for (Windows) when
// destroyed. `body` owns the sockets it was given: the test closes its own
// copies with Detached() right after starting the peer.
class Peer {
 public:
  explicit Peer(std::function<int()> body);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  // Waits for the body to return: its status (or -1).
  int Wait();
  // The test's copy of a socket handed to the peer: closed in the test
  // process (POSIX: the child has its own); left to the peer thread on
  // Windows (one process, one socket).
  void Detached(RawSocket socket);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Bytes from the peer to the test (POSIX: a pipe across the fork).
class PeerChannel {
 public:
  PeerChannel();
  ~PeerChannel();
  PeerChannel(const PeerChannel&) = delete;
  PeerChannel& operator=(const PeerChannel&) = delete;
  bool Send(const void* data, size_t size);      // from the peer
  bool Ready();                                  // the test: bytes are waiting
  bool Receive(void* data, size_t size);         // the test: blocking
  void PeerStarted();                            // the test, once the peer runs

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace test
}  // namespace iocpnet
