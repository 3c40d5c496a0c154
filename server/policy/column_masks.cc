#include "server/policy/column_masks.h"

#include <limits>

#include "server/policy/masking.h"

namespace cadastre::policy {

const v1::MaskingPolicy& DefaultPiiPolicy() {
  static const v1::MaskingPolicy* policy = [] {
    auto* p = new v1::MaskingPolicy;
    p->set_name("builtin:pii-default");
    p->set_tag("PII");
    p->set_mask_type(v1::MASK_NULL);
    p->set_priority(std::numeric_limits<int32_t>::min());
    p->set_description("nulls PII columns no other policy covers");
    return p;
  }();
  return *policy;
}

std::vector<ColumnMask> MasksFor(const Access& access, const v1::Dataset& dataset) {
  const DatasetScope scope{dataset.namespace_(), dataset.name(), dataset.domain(),
                           dataset.created_by()};
  std::vector<v1::MaskingPolicy> policies = access.snapshot().masking_policies();
  policies.push_back(DefaultPiiPolicy());
  const std::vector<std::string> roles = access.RolesOn(scope);
  std::vector<ColumnMask> out;
  for (const v1::Field& field : dataset.fields()) {
    std::vector<std::string> tags(dataset.tags().begin(), dataset.tags().end());
    tags.insert(tags.end(), field.tags().begin(), field.tags().end());
    for (const v1::InheritedTag& inherited : field.inherited_tags()) tags.push_back(inherited.tag());
    ColumnMask& mask = out.emplace_back();
    mask.field = field.name();
    if (!access.OnColumn(v1::READ_SAMPLES, scope, tags)) {
      mask.visible = false;
      continue;
    }
    if (access.OnColumn(v1::READ_UNMASKED, scope, tags)) continue;
    MaskDecision decision = DecideMask(policies, tags, roles);
    mask.type = decision.type;
    mask.tag = decision.tag;
    for (const v1::MaskingPolicy& policy : access.snapshot().masking_policies()) {
      if (policy.name() == decision.policy) mask.policy = &policy;
    }
    if (decision.policy == DefaultPiiPolicy().name()) mask.policy = &DefaultPiiPolicy();
  }
  return out;
}

}  // namespace cadastre::policy
