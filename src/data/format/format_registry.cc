#include "data/format/format_registry.h"

namespace strata::data {

std::map<std::string, FormatEntry>& FormatRegistry() {
  static auto* registry = [] {
    auto* r = new std::map<std::string, FormatEntry>();
    AddBuiltinFormats(r);
    return r;
  }();
  return *registry;
}

const SourceFormat* FindSourceFormat(const std::string& name) {
  auto it = FormatRegistry().find(name);
  return it == FormatRegistry().end() ? nullptr : it->second.source.get();
}

const SinkFormat* FindSinkFormat(const std::string& name) {
  auto it = FormatRegistry().find(name);
  return it == FormatRegistry().end() ? nullptr : it->second.sink.get();
}

namespace {

template <class Has>
std::string Names(Has has) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : FormatRegistry()) {
    if (has(entry)) names.push_back(name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return out;
}

}  // namespace

std::string ReadableFormatNames() {
  return Names([](const FormatEntry& e) { return e.source != nullptr; });
}

std::string WritableFormatNames() {
  return Names([](const FormatEntry& e) { return e.sink != nullptr; });
}

}  // namespace strata::data
