#include "test/harness.h"

#ifdef _WIN32
#include <windows.h>

#include "iocp/winsock_ext.h"
#else
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#endif

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace iocpnet {
namespace test {

namespace {
int g_failures_in_test = 0;
const char* g_current = "";

// A hung test must not hang the suite runner: report and exit non-zero.
void WatchdogFired() {
  std::fprintf(stderr, "\nFAIL (watchdog: test hung) %s\n", g_current);
  std::fflush(stderr);
  std::_Exit(3);
}

#ifdef _WIN32
// Windows has no alarm(): a thread waits for each test to end.
struct Watchdog {
  std::mutex mutex;
  std::condition_variable changed;
  uint64_t generation = 0;
  bool armed = false;
  std::chrono::steady_clock::time_point deadline;
};
Watchdog& TheWatchdog() {
  static Watchdog* watchdog = [] {
    Watchdog* w = new Watchdog();
    std::thread([w] {
      std::unique_lock<std::mutex> lock(w->mutex);
      for (;;) {
        if (!w->armed) {
          w->changed.wait(lock);
        } else if (w->changed.wait_until(lock, w->deadline) == std::cv_status::timeout && w->armed &&
                   std::chrono::steady_clock::now() >= w->deadline) {
          WatchdogFired();
        }
      }
    }).detach();
    return w;
  }();
  return *watchdog;
}
void ArmWatchdog(int seconds) {
  Watchdog& w = TheWatchdog();
  std::lock_guard<std::mutex> lock(w.mutex);
  w.armed = seconds > 0;
  w.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  w.changed.notify_all();
}
// Handles (sockets, events, threads, the port) the process holds.
int OpenHandleCount() {
  DWORD count = 0;
  return GetProcessHandleCount(GetCurrentProcess(), &count) ? static_cast<int>(count) : -1;
}
#else
void OnAlarm(int) { WatchdogFired(); }
void ArmWatchdog(int seconds) { alarm(static_cast<unsigned>(seconds)); }
int OpenHandleCount() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}
#endif
}  // namespace

std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}

namespace {
std::string g_backend;
}  // namespace

const std::string& CurrentBackend() { return g_backend; }

#ifdef _WIN32
bool UnderWine() { return iocp::RunningUnderWine(); }
#else
bool UnderWine() { return false; }
#endif

void Fail(const char* file, int line, const std::string& message) {
  ++g_failures_in_test;
  std::fprintf(stdout, "    %s:%d: CHECK failed: %s\n", file, line, message.c_str());
  std::fflush(stdout);
}

}  // namespace test
}  // namespace iocpnet

namespace {

struct Tally {
  int passed = 0;
  int failed = 0;
};

void RunOne(const iocpnet::test::TestCase& test, const std::string& label, Tally* tally) {
  using namespace iocpnet::test;
  g_current = test.name;
  g_failures_in_test = 0;
  ArmWatchdog(60);  // every test is bounded in time
  auto start = std::chrono::steady_clock::now();
  try {
    test.body();
  } catch (const TestAbort&) {
  } catch (const std::exception& e) {
    Fail(__FILE__, __LINE__, std::string("exception: ") + e.what());
  }
  ArmWatchdog(0);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (g_failures_in_test == 0) {
    ++tally->passed;
    std::printf("ok   %s%s (%.0f ms)\n", label.c_str(), test.name, ms);
  } else {
    ++tally->failed;
    std::printf("FAIL %s%s (%.0f ms)\n", label.c_str(), test.name, ms);
  }
  std::fflush(stdout);
}

std::vector<std::string> Split(const char* list) {
  std::vector<std::string> out;
  std::string item;
  for (const char* p = list;; ++p) {
    if (*p == ',' || *p == '\0') {
      if (!item.empty()) out.push_back(item);
      item.clear();
      if (*p == '\0') break;
    } else {
      item += *p;
    }
  }
  return out;
}

}  // namespace

// native_tests [--suite NAME] [--backends uring,epoll] [FILTER]
// Runs the unit tests once, then for each backend its contract and backend
// tests; prints "NAME [backend]: N passed, N failed" per backend and
// "NAME: N passed, N failed" over everything last.
int main(int argc, char** argv) {
  using namespace iocpnet::test;
  const char* suite = "native";
  const char* filter = nullptr;
#ifdef _WIN32
  const char* backends = "iocp";
#else
  const char* backends = "uring,epoll";
#endif
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--suite") == 0 && i + 1 < argc) {
      suite = argv[++i];
    } else if (std::strcmp(argv[i], "--backends") == 0 && i + 1 < argc) {
      backends = argv[++i];
    } else {
      filter = argv[i];
    }
  }
#ifndef _WIN32
  signal(SIGPIPE, SIG_IGN);  // the engine uses MSG_NOSIGNAL; belt and braces for raw test sockets
  signal(SIGALRM, OnAlarm);
#endif
  Tally total;
  int fds_before = OpenHandleCount();
  auto selected = [&](const TestCase& test) { return filter == nullptr || std::strstr(test.name, filter) != nullptr; };
  for (const TestCase& test : Registry()) {
    if (test.kind == TestCase::Kind::kUnit && selected(test)) RunOne(test, "", &total);
  }
  for (const std::string& backend : Split(backends)) {
    g_backend = backend;
    Tally tally;
    for (const TestCase& test : Registry()) {
      if (!selected(test)) continue;
      if (test.kind == TestCase::Kind::kContract || (test.kind == TestCase::Kind::kBackend && backend == test.backend)) {
        RunOne(test, "[" + backend + "] ", &tally);
      }
    }
    std::printf("%s [%s]: %d passed, %d failed\n", suite, backend.c_str(), tally.passed, tally.failed);
    total.passed += tally.passed;
    total.failed += tally.failed;
  }
  // Every backend, socket and ring the tests made must be closed again.
  int fds_after = OpenHandleCount();
  if (fds_after == fds_before) {
    ++total.passed;
    std::printf("ok   no_leaked_file_descriptors\n");
  } else {
    ++total.failed;
    std::printf("FAIL no_leaked_file_descriptors (%d open before, %d after)\n", fds_before, fds_after);
  }
  std::printf("%s: %d passed, %d failed\n", suite, total.passed, total.failed);
  return total.failed == 0 ? 0 : 1;
}
