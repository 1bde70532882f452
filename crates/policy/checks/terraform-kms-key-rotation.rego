# METADATA
# title: KMS keys rotate their key material
# description: >-
#   Every customer-managed symmetric encryption key (aws_kms_key with the
#   SYMMETRIC_DEFAULT spec and ENCRYPT_DECRYPT usage, the defaults) has
#   automatic rotation enabled, so the key material that protects data is
#   renewed (yearly unless `rotation_period_in_days` says otherwise) without
#   re-encrypting anything. Asymmetric and HMAC keys and keys in a custom
#   key store, which AWS cannot rotate automatically, are not judged. Reads
#   a plan (keys as they will be after apply) or a state.
# custom:
#   id: terraform-kms-key-rotation
#   formats: [terraform-plan, terraform-state]
#   requirements: [A.8.24]
package evident.checks.terraform_kms_key_rotation

deny contains msg if {
	some k in resources
	k.type == "aws_kms_key"
	rotatable(k)
	object.get(k.values, "enable_key_rotation", null) != true
	msg := sprintf("%s does not rotate its key material (enable_key_rotation is not true)", [k.address])
}

# The attributes default to the rotatable kind; absent or unknown counts as
# the default. Keys in a custom key store (CloudHSM, external) cannot be
# rotated by AWS.
rotatable(k) if {
	object.get(k.values, "customer_master_key_spec", null) in {null, "SYMMETRIC_DEFAULT"}
	object.get(k.values, "key_usage", null) in {null, "ENCRYPT_DECRYPT"}
	object.get(k.values, "custom_key_store_id", null) in {null, ""}
}

# The managed resources the document describes, in either format: for a
# plan, each resource as it will be after apply (resources being destroyed
# or forgotten have no `after` and are left out); for a state, as it is.
resources := array.concat(
	[r |
		input.format == "terraform-plan"
		some c in input.resource_changes
		c.mode == "managed"
		is_object(c.after)
		r := {"address": c.address, "type": c.type, "values": c.after}
	],
	[r |
		input.format == "terraform-state"
		some s in input.resources
		s.mode == "managed"
		is_object(s.values)
		r := {"address": s.address, "type": s.type, "values": s.values}
	],
)
