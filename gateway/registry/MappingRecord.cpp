#include "gateway/registry/MappingRecord.h"

namespace huitong::registry {

const char* toString(MappingState state) {
  switch (state) {
    case MappingState::kDraft:
      return "draft";
    case MappingState::kTested:
      return "tested";
    case MappingState::kPublished:
      return "published";
  }
  return "draft";
}

std::optional<MappingState> mappingStateFrom(const std::string& text) {
  for (MappingState s : {MappingState::kDraft, MappingState::kTested, MappingState::kPublished}) {
    if (text == toString(s))
      return s;
  }
  return std::nullopt;
}

}  // namespace huitong::registry
