// Every built-in adapter, one line each. A new adapter folder adds its line here; the test
// tests/adapters/RegistrationTest.cpp fails while a folder under adapters/ is not listed.
#include "adapters/register_adapters.h"

#include "adapters/db_poll/DbPollAdapter.h"
#include "adapters/file_drop/FileDropAdapter.h"
#include "adapters/http_json/HttpJsonAdapter.h"
#include "adapters/http_xml/HttpXmlAdapter.h"
#include "adapters/soap11/Soap11Adapter.h"

namespace huitong::adapters {

Result<void> registerBuiltinAdapters(adapter::AdapterRegistry& registry) {
  for (auto* make : {&makeHttpJsonFactory, &makeHttpXmlFactory, &makeSoap11Factory,
                     &makeFileDropFactory, &makeDbPollFactory}) {
    if (auto r = registry.add(make()); !r.ok())
      return r;
  }
  return {};
}

}  // namespace huitong::adapters
