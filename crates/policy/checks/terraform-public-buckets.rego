# METADATA
# title: S3 buckets are not public
# description: >-
#   No S3 bucket is opened to everyone by an ACL (public-read,
#   public-read-write, authenticated-read, or a grant to the AllUsers or
#   AuthenticatedUsers groups), and every bucket is covered by an S3 public
#   access block with all four settings on: its own
#   aws_s3_bucket_public_access_block, or an account-wide
#   aws_s3_account_public_access_block in the same configuration. Buckets
#   public by design (a static website) are listed in `allowed_buckets`, by
#   bucket name or resource address. Bucket policies are not read.
# custom:
#   id: terraform-public-buckets
#   formats: [terraform-plan, terraform-state]
#   requirements: [A.8.3]
#   parameters:
#     allowed_buckets: []
package evident.checks.terraform_public_buckets

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}

block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

allowed_buckets := a if {
	a := data.evident.parameters.allowed_buckets
	is_array(a)
}

# A missing or mistyped parameter must not turn the check into a silent pass.
deny contains msg if {
	not allowed_buckets
	msg := "parameter allowed_buckets must be a list of bucket names or resource addresses"
}

# The bucket's own `acl` and `grant` (AWS provider before 4; later
# providers read them back into the state).
deny contains msg if {
	some b in resources
	b.type == "aws_s3_bucket"
	not allowed(b)
	acl := object.get(b.values, "acl", null)
	acl in public_acls
	msg := sprintf("%s has the public ACL %s", [b.address, acl])
}

deny contains msg if {
	some b in resources
	b.type == "aws_s3_bucket"
	not allowed(b)
	some grant in blocks(object.get(b.values, "grant", []))
	group := public_groups[object.get(grant, "uri", "")]
	msg := sprintf("%s grants %s to %s", [b.address, permissions(object.get(grant, "permissions", [])), group])
}

deny contains msg if {
	some r in resources
	r.type == "aws_s3_bucket_acl"
	not allowed(r)
	acl := object.get(r.values, "acl", null)
	acl in public_acls
	msg := sprintf("%s sets the public ACL %s on %s", [r.address, acl, target(r)])
}

deny contains msg if {
	some r in resources
	r.type == "aws_s3_bucket_acl"
	not allowed(r)
	some policy in blocks(object.get(r.values, "access_control_policy", []))
	some grant in blocks(object.get(policy, "grant", []))
	some grantee in blocks(object.get(grant, "grantee", []))
	group := public_groups[object.get(grantee, "uri", "")]
	msg := sprintf(
		"%s grants %s to %s on %s", [r.address, permissions(object.get(grant, "permission",
		[])), group, target(r)],
	)
}

# A setting counts as on when the bucket's block or the account's block has
# it on: S3 applies the more restrictive of the two. A setting not known
# until apply is not on.
deny contains msg if {
	some p in resources
	p.type == "aws_s3_bucket_public_access_block"
	not allowed(p)
	off := [s | some s in block_settings; object.get(p.values, s, null) != true; not s in account_settings_on]
	count(off) > 0
	msg := sprintf("%s turns off %s", [p.address, concat(", ", off)])
}

deny contains msg if {
	some b in resources
	b.type == "aws_s3_bucket"
	not allowed(b)
	not has_block(b)
	not account_blocks_all
	msg := sprintf("%s has no public access block", [b.address])
}

# An account-wide block with settings off exposes no bucket by itself, but
# leaves every bucket to its own block.
warn contains msg if {
	some a in resources
	a.type == "aws_s3_account_public_access_block"
	off := [s | some s in block_settings; object.get(a.values, s, null) != true]
	count(off) > 0
	msg := sprintf("%s turns off %s for the whole account", [a.address, concat(", ", off)])
}

# The settings the account-wide block has on, if there is one.
account_settings_on contains setting if {
	some a in resources
	a.type == "aws_s3_account_public_access_block"
	some setting in block_settings
	object.get(a.values, setting, null) == true
}

account_blocks_all if {
	every setting in block_settings {
		setting in account_settings_on
	}
}

has_block(b) if {
	some key in bucket_keys(b)
	key in block_pointers
}

# What the public access blocks point at.
block_pointers contains p if {
	some c in resources
	c.type == "aws_s3_bucket_public_access_block"
	some p in pointers(c)
}

allowed_bucket(b) if b.address in allowed_buckets

allowed_bucket(b) if {
	some name in bucket_names(b)
	name in allowed_buckets
}

allowed(r) if {
	r.type == "aws_s3_bucket"
	allowed_bucket(r)
}

# A bucket-level resource is allowed by its own address or with its bucket.
allowed(r) if {
	r.type != "aws_s3_bucket"
	r.address in allowed_buckets
}

allowed(r) if {
	r.type != "aws_s3_bucket"
	name := object.get(r.values, "bucket", null)
	name in allowed_buckets
}

allowed(r) if {
	r.type != "aws_s3_bucket"
	some p in pointers(r)
	p in allowed_keys
}

# The keys of the allowed buckets.
allowed_keys contains key if {
	some b in resources
	b.type == "aws_s3_bucket"
	allowed_bucket(b)
	some key in bucket_keys(b)
}

# The bucket a bucket-level resource applies to, for messages: the one its
# reference names, else the first by address of those it points at.
target(r) := addresses[0] if {
	addresses := sort([ref | some ref in bucket_references(r); ["address", ref] in all_bucket_keys])
	count(addresses) > 0
} else := addresses[0] if {
	addresses := sort([b.address |
		some b in resources
		b.type == "aws_s3_bucket"
		some key in bucket_keys(b)
		key in pointers(r)
	])
	count(addresses) > 0
} else := sprintf("bucket %s", [r.values.bucket]) if {
	is_string(r.values.bucket)
} else := "its bucket"

all_bucket_keys contains key if {
	some b in resources
	b.type == "aws_s3_bucket"
	some key in bucket_keys(b)
}

permissions(p) := concat(", ", sort([sprintf("%v", [x]) | some x in p])) if is_array(p)

permissions(p) := p if is_string(p)

permissions(p) := "access" if {
	not is_array(p)
	not is_string(p)
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
