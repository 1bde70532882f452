# METADATA
# title: Storage is encrypted at rest
# description: >-
#   Every S3 bucket has a server-side encryption configuration (on the
#   bucket, or in an aws_s3_bucket_server_side_encryption_configuration that
#   names it), and every EBS volume (including instances' root and attached
#   block devices), RDS instance, Aurora cluster and EFS file system is
#   encrypted. Reads a plan (resources as they will be after apply) or a
#   state. A volume whose encryption is left to the account's EBS
#   encryption-by-default passes only if that setting is in the same
#   configuration; in a plan, a value not known until apply is not evidence
#   of encryption.
# custom:
#   id: terraform-storage-encryption
#   formats: [terraform-plan, terraform-state]
#   requirements: [A.8.24]
package evident.checks.terraform_storage_encryption

deny contains msg if {
	some b in resources
	b.type == "aws_s3_bucket"
	not encrypted_inline(b)
	not encrypted_by_separate_resource(b)
	msg := sprintf("%s has no server-side encryption configuration", [b.address])
}

# Where each type records whether it is encrypted.
flag := {
	"aws_ebs_volume": "encrypted",
	"aws_efs_file_system": "encrypted",
	"aws_db_instance": "storage_encrypted",
	"aws_rds_cluster": "storage_encrypted",
}

# What can be encrypted, one entry per resource or instance block device:
# its name in messages, the attribute, its value (null when absent or not
# known until apply) and whether it is an EBS volume.
stores contains {"name": r.address, "attribute": attribute, "value": value, "ebs": ebs} if {
	some r in resources
	attribute := flag[r.type]
	not aurora_instance(r)
	value := object.get(r.values, attribute, null)
	ebs := r.type == "aws_ebs_volume"
}

stores contains {"name": name, "attribute": "encrypted", "value": value, "ebs": true} if {
	some r in resources
	r.type == "aws_instance"
	some kind in ["root_block_device", "ebs_block_device"]
	some device in blocks(object.get(r.values, kind, []))
	name := device_name(r.address, kind, device)
	value := object.get(device, "encrypted", null)
}

deny contains msg if {
	some s in stores
	s.value == false
	msg := sprintf("%s is not encrypted (%s = false)", [s.name, s.attribute])
}

# Left out of the configuration, an EBS volume's `encrypted` comes from the
# account's encryption-by-default setting, so a plan shows it as unknown.
deny contains msg if {
	some s in stores
	not is_boolean(s.value)
	not ebs_default_applies(s)
	msg := sprintf("%s does not set %s = true", [s.name, s.attribute])
}

ebs_default_applies(s) if {
	s.ebs
	ebs_encryption_by_default
}

ebs_encryption_by_default if {
	some r in resources
	r.type == "aws_ebs_encryption_by_default"
	object.get(r.values, "enabled", null) == true
}

# Aurora instances inherit encryption from their cluster, which is judged.
aurora_instance(r) if {
	r.type == "aws_db_instance"
	aurora_engine(object.get(r.values, "engine", null))
}

aurora_engine(engine) if {
	is_string(engine)
	startswith(engine, "aurora")
}

device_name(address, kind, device) := sprintf("%s %s (%s)", [address, kind, device.device_name]) if {
	is_string(device.device_name)
} else := sprintf("%s %s", [address, kind])

encrypted_inline(b) if {
	some c in blocks(object.get(b.values, "server_side_encryption_configuration", []))
	default_encryption(c)
}

encrypted_by_separate_resource(b) if {
	some key in bucket_keys(b)
	key in encryption_pointers
}

# What the encryption resources that set a default encryption point at.
encryption_pointers contains p if {
	some c in resources
	c.type == "aws_s3_bucket_server_side_encryption_configuration"
	default_encryption(c.values)
	some p in pointers(c)
}

default_encryption(config) if {
	some rule in blocks(object.get(config, "rule", []))
	some d in blocks(object.get(rule, "apply_server_side_encryption_by_default", []))
	is_string(d.sse_algorithm)
	d.sse_algorithm != ""
}

# How a bucket-level resource names its bucket, and how a bucket can be
# named: by address in the configuration's references (a plan knows this
# before the bucket's name is known); by the reference without instance
# keys from the same module instance and index
# (`aws_s3_bucket.this[count.index]` is recorded as `aws_s3_bucket.this`);
# or by the bucket's name. Resources are matched through these keys in
# sets built once, not pair by pair, so large states stay linear.
bucket_keys(b) := {
	["address", b.address],
	["instance", without_keys(b.address), b.module_address, b.index],
} | {["name", n] | some n in bucket_names(b)}

pointers(c) := {p |
	some ref in bucket_references(c)
	some p in [["address", ref], ["instance", ref, c.module_address, c.index]]
} | {["name", n] | n := object.get(c.values, "bucket", null); is_string(n)}

bucket_references(c) := [ref | some ref in object.get(c.references, "bucket", []); is_string(ref)]

bucket_names(b) := {n |
	some attribute in ["bucket", "id"]
	n := object.get(b.values, attribute, null)
	is_string(n)
}

without_keys(address) := regex.replace(address, `\[[^\]]*\]`, "")

# The blocks of a nested block list. Terraform writes an absent list as []
# or null, by provider version, and the values are verbatim: anything that
# is not a block is skipped rather than read.
blocks(x) := [b | some b in x; is_object(b)] if is_array(x) else := []

# The managed resources the document describes, in either format: for a
# plan, each resource as it will be after apply (resources being destroyed
# or forgotten have no `after` and are left out); for a state, as it is.
resources := array.concat(
	[r |
		input.format == "terraform-plan"
		some c in input.resource_changes
		c.mode == "managed"
		is_object(c.after)
		r := {
			"address": c.address, "type": c.type, "module_address": c.module_address,
			"index": c.index, "values": c.after, "references": c.references,
		}
	],
	[r |
		input.format == "terraform-state"
		some s in input.resources
		s.mode == "managed"
		is_object(s.values)
		r := {
			"address": s.address, "type": s.type, "module_address": s.module_address,
			"index": s.index, "values": s.values, "references": {},
		}
	],
)
