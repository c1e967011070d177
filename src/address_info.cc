#include "address_info.h"

namespace iocpnet {
namespace bridge {

void FillAddressInfo(Napi::Object out, const SocketAddress& address) {
  if (address.IsUnix()) {
    out.Set("address", address.path());
    return;
  }
  out.Set("address", address.ip());
  out.Set("family", address.FamilyName());
  out.Set("port", static_cast<double>(address.port()));
}

}  // namespace bridge
}  // namespace iocpnet
