// A tiny test harness (no dependencies): TEST(name) registers a function,
// CHECK records a failure and continues, REQUIRE stops the test.
#pragma once

#include <string>
#include <vector>

namespace iocpnet {
namespace test {

struct TestCase {
  const char* name;
  void (*body)();
};

std::vector<TestCase>& Registry();
struct Registrar {
  Registrar(const char* name, void (*body)()) { Registry().push_back(TestCase{name, body}); }
};

// Thrown by REQUIRE to leave the current test.
struct TestAbort {};

void Fail(const char* file, int line, const std::string& message);

}  // namespace test
}  // namespace iocpnet

#define TEST(name)                                                        \
  static void name();                                                     \
  static ::iocpnet::test::Registrar name##_registrar(#name, &name);       \
  static void name()

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) ::iocpnet::test::Fail(__FILE__, __LINE__, #cond);        \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    auto check_a_ = (a);                                                                 \
    auto check_b_ = (b);                                                                 \
    if (!(check_a_ == check_b_))                                                         \
      ::iocpnet::test::Fail(__FILE__, __LINE__,                                          \
                            std::string(#a " == " #b " (") + std::to_string(check_a_) + \
                                " vs " + std::to_string(check_b_) + ")");                \
  } while (0)

#define REQUIRE(cond)                                                     \
  do {                                                                    \
    if (!(cond)) {                                                        \
      ::iocpnet::test::Fail(__FILE__, __LINE__, #cond);                   \
      throw ::iocpnet::test::TestAbort();                                 \
    }                                                                     \
  } while (0)
