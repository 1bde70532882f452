//! A `terraform show -json` plan of a monorepo of services.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::{
    ACCOUNT, APPS, DAY, REFERENCE, Rng, SEED_PLAN, TEAMS, hex, iam_id, mix, utc_time, uuid,
};

const TERRAFORM_VERSION: &str = "1.9.8";
const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";
const REGION: &str = "eu-west-1";
const VPC: &str = "vpc-0a4c1e9d3b7f25e68";

/// What the plan does to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Create,
    NoOp,
    Update,
    Delete,
    Replace,
}

impl Action {
    fn actions(self) -> Value {
        match self {
            Action::Create => json!(["create"]),
            Action::NoOp => json!(["no-op"]),
            Action::Update => json!(["update"]),
            Action::Delete => json!(["delete"]),
            Action::Replace => json!(["delete", "create"]),
        }
    }
}

/// One inbound rule of a security group.
#[derive(Clone, Copy, Debug)]
struct Ingress {
    from: u16,
    to: u16,
    protocol: &'static str,
    cidr: &'static str,
    description: &'static str,
}

const fn rule(
    from: u16,
    to: u16,
    protocol: &'static str,
    cidr: &'static str,
    description: &'static str,
) -> Ingress {
    Ingress {
        from,
        to,
        protocol,
        cidr,
        description,
    }
}

const SAFE_INGRESS: &[Ingress] = &[
    rule(443, 443, "tcp", "0.0.0.0/0", "HTTPS from anywhere"),
    rule(
        80,
        80,
        "tcp",
        "0.0.0.0/0",
        "HTTP from anywhere, redirected to HTTPS",
    ),
    rule(5432, 5432, "tcp", "10.0.0.0/8", "PostgreSQL from the VPC"),
    rule(
        8080,
        8080,
        "tcp",
        "10.0.0.0/8",
        "Application port from the load balancers",
    ),
    rule(22, 22, "tcp", "10.20.0.0/24", "SSH from the bastion subnet"),
    rule(6379, 6379, "tcp", "10.0.0.0/8", "Redis from the VPC"),
];
const OPEN_SSH: Ingress = rule(22, 22, "tcp", "0.0.0.0/0", "SSH for the on-call engineers");
const OPEN_RDP: Ingress = rule(
    3389,
    3389,
    "tcp",
    "0.0.0.0/0",
    "RDP for the Windows build host",
);
const OPEN_ALL: Ingress = rule(0, 65535, "tcp", "0.0.0.0/0", "Temporary: debugging");

/// What a resource is, with the settings that make it compliant or not.
#[derive(Debug)]
enum Kind {
    Bucket {
        bucket: String,
    },
    BucketEncryption {
        kms: Option<Link>,
    },
    PublicAccessBlock {
        blocked: bool,
    },
    BucketAcl {
        public: bool,
    },
    BucketVersioning {
        enabled: bool,
    },
    KmsKey {
        rotation: bool,
    },
    SecurityGroup {
        inline: bool,
        rules: Vec<Ingress>,
    },
    IngressRule(Ingress),
    LegacyRule(Ingress),
    Database {
        encrypted: bool,
        public: bool,
        retention: u32,
    },
    Volume {
        encrypted: bool,
        size: u32,
    },
    Instance {
        encrypted: bool,
        imdsv2: bool,
        instance_type: &'static str,
    },
    Role,
    Policy {
        admin: bool,
    },
    Attachment,
}

impl Kind {
    fn resource_type(&self) -> &'static str {
        match self {
            Kind::Bucket { .. } => "aws_s3_bucket",
            Kind::BucketEncryption { .. } => "aws_s3_bucket_server_side_encryption_configuration",
            Kind::PublicAccessBlock { .. } => "aws_s3_bucket_public_access_block",
            Kind::BucketAcl { .. } => "aws_s3_bucket_acl",
            Kind::BucketVersioning { .. } => "aws_s3_bucket_versioning",
            Kind::KmsKey { .. } => "aws_kms_key",
            Kind::SecurityGroup { .. } => "aws_security_group",
            Kind::IngressRule(_) => "aws_vpc_security_group_ingress_rule",
            Kind::LegacyRule(_) => "aws_security_group_rule",
            Kind::Database { .. } => "aws_db_instance",
            Kind::Volume { .. } => "aws_ebs_volume",
            Kind::Instance { .. } => "aws_instance",
            Kind::Role => "aws_iam_role",
            Kind::Policy { .. } => "aws_iam_policy",
            Kind::Attachment => "aws_iam_role_policy_attachment",
        }
    }

    /// The provider's schema version of the type, as the plan records it.
    fn schema_version(&self) -> u32 {
        match self {
            Kind::SecurityGroup { .. } | Kind::Instance { .. } => 1,
            Kind::LegacyRule(_) | Kind::Database { .. } => 2,
            _ => 0,
        }
    }

    fn taggable(&self) -> bool {
        matches!(
            self,
            Kind::Bucket { .. }
                | Kind::KmsKey { .. }
                | Kind::SecurityGroup { .. }
                | Kind::Database { .. }
                | Kind::Volume { .. }
                | Kind::Instance { .. }
                | Kind::Role
                | Kind::Policy { .. }
        )
    }

    /// Resources a team adds to or removes from a running service without
    /// touching the rest (nothing else refers to them).
    fn optional(&self) -> bool {
        matches!(
            self,
            Kind::BucketEncryption { .. }
                | Kind::PublicAccessBlock { .. }
                | Kind::BucketAcl { .. }
                | Kind::BucketVersioning { .. }
                | Kind::IngressRule(_)
                | Kind::LegacyRule(_)
                | Kind::Attachment
        )
    }

    /// Resources a change of configuration replaces (nothing refers to
    /// them either).
    fn replaceable(&self) -> bool {
        matches!(
            self,
            Kind::Database { .. } | Kind::Volume { .. } | Kind::Instance { .. }
        )
    }
}

/// A reference from an attribute of one resource to another resource of
/// the same module.
#[derive(Clone, Debug)]
struct Link {
    /// The referring attribute.
    attr: &'static str,
    /// The target's address within the module (`aws_s3_bucket.logs`).
    target: String,
    /// The target's attribute referred to (`id`, `arn`, `name`).
    output: &'static str,
    /// That attribute's value once the target exists.
    value: String,
    /// The target is created by this plan, so the value is unknown.
    created: bool,
    /// The attribute is a list of such values (`vpc_security_group_ids`).
    list: bool,
}

impl Link {
    fn expression(&self) -> Value {
        json!({ "references": [format!("{}.{}", self.target, self.output), self.target] })
    }

    fn known(&self) -> Value {
        if self.list {
            json!([self.value])
        } else {
            Value::from(self.value.as_str())
        }
    }
}

/// One resource (one instance, for counted resources) of the plan.
#[derive(Debug)]
struct Resource {
    /// The module call it is in (`billing_0042`), or `None` at the root.
    module: Option<String>,
    /// The service it belongs to (`billing-0042`).
    service: String,
    team: &'static str,
    /// The local name (`billing_0042_data` at the root, `data` in a
    /// module).
    name: String,
    /// The name within the service (`data`), for tags.
    label: String,
    /// `(index, count)` of a counted resource.
    count: Option<(u32, u32)>,
    kind: Kind,
    action: Action,
    links: Vec<Link>,
    /// A number unique in the plan, the seed of the resource's ids.
    seq: u64,
}

impl Resource {
    /// The address within its module, without instance key.
    fn local(&self) -> String {
        format!("{}.{}", self.kind.resource_type(), self.name)
    }

    fn address(&self) -> String {
        let mut a = match &self.module {
            Some(m) => format!("module.{m}.{}", self.local()),
            None => self.local(),
        };
        if let Some((i, _)) = self.count {
            let _ = write!(a, "[{i}]");
        }
        a
    }

    /// An attribute of this resource that others refer to, as it is once
    /// the resource exists.
    fn output(&self, name: &str) -> String {
        match (&self.kind, name) {
            (Kind::Bucket { bucket }, "arn") => format!("arn:aws:s3:::{bucket}"),
            (Kind::Bucket { bucket }, _) => bucket.clone(),
            (Kind::KmsKey { .. }, "arn") => {
                format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{}", uuid(self.seq))
            }
            (Kind::KmsKey { .. }, _) => uuid(self.seq),
            (Kind::SecurityGroup { .. }, _) => format!("sg-0{}", hex(self.seq, 16)),
            (Kind::Role, "arn") => format!("arn:aws:iam::{ACCOUNT}:role/{}", self.role_name()),
            (Kind::Role, _) => self.role_name(),
            (Kind::Policy { .. }, _) => {
                format!("arn:aws:iam::{ACCOUNT}:policy/{}", self.policy_name())
            }
            _ => hex(self.seq, 20),
        }
    }

    fn role_name(&self) -> String {
        format!("{}-app", self.service)
    }

    fn policy_name(&self) -> String {
        format!("{}-app-access", self.service)
    }

    fn link_value(&self, attr: &str) -> String {
        self.links
            .iter()
            .find(|l| l.attr == attr)
            .map(|l| l.value.clone())
            .unwrap_or_default()
    }
}

/// Which version of a resource's attributes to render.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// What the plan knows it will be: outputs of created resources are
    /// unknown.
    Planned,
    /// What it is once applied (a no-op's before and after).
    Applied,
    /// What it was before an update or a replacement.
    Previous,
}

/// A resource's attributes, sorted by where their value comes from.
#[derive(Default)]
struct Attrs {
    /// Set in the configuration to a constant.
    config: Map<String, Value>,
    /// Nested blocks set in the configuration to constants.
    blocks: Map<String, Value>,
    /// Known when planning, but not written in the configuration.
    defaults: Map<String, Value>,
    /// Known only once applied; the values they then have.
    computed: Map<String, Value>,
    /// Configuration expressions that are neither constants nor
    /// top-level references (references inside blocks, variables).
    expressions: Map<String, Value>,
    /// `after_unknown` entries inside blocks.
    unknown: Map<String, Value>,
    /// `after_sensitive`.
    sensitive: Map<String, Value>,
}

/// Builds the resources of one service, in dependency order (a resource
/// after those it refers to).
struct ServiceBuilder<'a> {
    rng: &'a mut Rng,
    out: Vec<Resource>,
    module: Option<String>,
    /// Prefix of local names at the root (`billing_0042_`), where all
    /// services share one namespace.
    prefix: String,
    service: String,
    team: &'static str,
    new: bool,
    seq: u64,
}

impl ServiceBuilder<'_> {
    fn action(&mut self, kind: &Kind) -> Action {
        if self.new {
            return Action::Create;
        }
        match self.rng.below(1000) {
            860..940 if kind.taggable() => Action::Update,
            940..970 if kind.optional() => Action::Create,
            970..985 if kind.optional() => Action::Delete,
            985..1000 if kind.replaceable() => Action::Replace,
            _ => Action::NoOp,
        }
    }

    fn add(
        &mut self,
        kind: Kind,
        name: &str,
        count: Option<(u32, u32)>,
        links: Vec<Link>,
    ) -> usize {
        let action = self.action(&kind);
        self.out.push(Resource {
            module: self.module.clone(),
            service: self.service.clone(),
            team: self.team,
            name: format!("{}{name}", self.prefix),
            label: name.to_string(),
            count,
            kind,
            action,
            links,
            seq: self.seq,
        });
        self.seq += 1;
        self.out.len() - 1
    }

    fn link(&self, attr: &'static str, target: usize, output: &'static str, list: bool) -> Link {
        let t = &self.out[target];
        Link {
            attr,
            target: t.local(),
            output,
            value: t.output(output),
            created: t.action == Action::Create,
            list,
        }
    }
}

const PURPOSES: &[&str] = &["data", "logs", "assets", "backups", "exports"];
const INSTANCE_TYPES: &[&str] = &[
    "t3.medium",
    "t3.large",
    "m6i.large",
    "m6i.xlarge",
    "c6i.large",
];
const DB_CLASSES: &[&str] = &[
    "db.t4g.medium",
    "db.r6g.large",
    "db.r6g.xlarge",
    "db.m6g.large",
];

/// The resources of service number `n`, from `seq` on.
fn service(n: usize, rng: &mut Rng, seq: u64) -> Vec<Resource> {
    let service = format!("{}-{n:04}", APPS[n % APPS.len()]);
    let tf = service.replace('-', "_");
    // One service in eight is a child module, as teams that split a
    // monorepo into modules do.
    let in_module = n % 8 == 7;
    let team = rng.pick(TEAMS);
    let new = rng.chance(80);
    let mut s = ServiceBuilder {
        rng,
        out: Vec::with_capacity(24),
        prefix: if in_module {
            String::new()
        } else {
            format!("{tf}_")
        },
        module: in_module.then_some(tf),
        service,
        team,
        new,
        seq,
    };

    let role = s.add(Kind::Role, "app", None, vec![]);
    let admin = s.rng.chance(30);
    let policy = s.add(Kind::Policy { admin }, "app", None, vec![]);
    let links = vec![
        s.link("role", role, "name", false),
        s.link("policy_arn", policy, "arn", false),
    ];
    s.add(Kind::Attachment, "app", None, links);

    let key = if s.rng.chance(700) {
        let rotation = s.rng.chance(850);
        Some(s.add(Kind::KmsKey { rotation }, "main", None, vec![]))
    } else {
        None
    };

    let buckets = 1 + s.rng.below(3) as usize;
    for b in 0..buckets {
        let purpose = PURPOSES[(n + b) % PURPOSES.len()];
        let bucket = format!("acme-{}-{purpose}", s.service);
        let bucket = s.add(Kind::Bucket { bucket }, purpose, None, vec![]);
        if s.rng.chance(900) {
            let kms = match key {
                Some(k) if s.rng.chance(600) => Some(s.link("kms_master_key_id", k, "arn", false)),
                _ => None,
            };
            let links = vec![s.link("bucket", bucket, "id", false)];
            s.add(Kind::BucketEncryption { kms }, purpose, None, links);
        }
        if s.rng.chance(850) {
            let blocked = s.rng.chance(930);
            let links = vec![s.link("bucket", bucket, "id", false)];
            s.add(Kind::PublicAccessBlock { blocked }, purpose, None, links);
        }
        if s.rng.chance(600) {
            let enabled = s.rng.chance(900);
            let links = vec![s.link("bucket", bucket, "id", false)];
            s.add(Kind::BucketVersioning { enabled }, purpose, None, links);
        }
        if s.rng.chance(100) {
            let public = s.rng.chance(150);
            let links = vec![s.link("bucket", bucket, "id", false)];
            s.add(Kind::BucketAcl { public }, purpose, None, links);
        }
    }

    let rules: Vec<Ingress> = (0..1 + s.rng.below(3))
        .map(|_| match s.rng.below(1000) {
            0..40 => OPEN_SSH,
            40..50 => OPEN_RDP,
            50..55 => OPEN_ALL,
            _ => s.rng.pick(SAFE_INGRESS),
        })
        .collect();
    let style = s.rng.below(100);
    let inline = (60..85).contains(&style);
    let sg = s.add(
        Kind::SecurityGroup {
            inline,
            rules: rules.clone(),
        },
        "app",
        None,
        vec![],
    );
    if !inline {
        for (i, r) in rules.into_iter().enumerate() {
            let links = vec![s.link("security_group_id", sg, "id", false)];
            let kind = if style < 60 {
                Kind::IngressRule(r)
            } else {
                Kind::LegacyRule(r)
            };
            s.add(kind, &format!("app_{i}"), None, links);
        }
    }

    if s.rng.chance(300) {
        let encrypted = s.rng.chance(920);
        let public = s.rng.chance(30);
        let retention = s.rng.pick(&[0, 1, 7, 7, 7, 14, 14, 30, 35]);
        let mut links = vec![s.link("vpc_security_group_ids", sg, "id", true)];
        if let Some(k) = key.filter(|_| encrypted) {
            links.push(s.link("kms_key_id", k, "arn", false));
        }
        s.add(
            Kind::Database {
                encrypted,
                public,
                retention,
            },
            "main",
            None,
            links,
        );
    }

    if s.rng.chance(550) {
        let count = 1 + s.rng.below(3) as u32;
        let encrypted = s.rng.chance(850);
        let imdsv2 = s.rng.chance(800);
        let instance_type = s.rng.pick(INSTANCE_TYPES);
        for i in 0..count {
            let links = vec![s.link("vpc_security_group_ids", sg, "id", true)];
            s.add(
                Kind::Instance {
                    encrypted,
                    imdsv2,
                    instance_type,
                },
                "app",
                Some((i, count)),
                links,
            );
        }
    }

    if s.rng.chance(500) {
        let count = 1 + s.rng.below(3) as u32;
        let encrypted = s.rng.chance(880);
        let size = s.rng.pick(&[50, 100, 200, 500]);
        for i in 0..count {
            let mut links = vec![];
            if let Some(k) = key.filter(|_| encrypted) {
                links.push(s.link("kms_key_id", k, "arn", false));
            }
            s.add(
                Kind::Volume { encrypted, size },
                "data",
                Some((i, count)),
                links,
            );
        }
    }
    s.out
}

/// The plan's resources: whole services until the count is reached (the
/// last one cut short; its resources come after those they refer to, so
/// every reference still resolves).
fn plan_resources(resources: usize) -> Vec<Resource> {
    let mut rng = Rng(SEED_PLAN);
    let mut all = Vec::with_capacity(resources);
    let mut n = 0;
    while all.len() < resources {
        let group = service(n, &mut rng, all.len() as u64);
        let room = resources - all.len();
        all.extend(group.into_iter().take(room));
        n += 1;
    }
    all
}

fn tags(r: &Resource, previous: bool) -> Value {
    let mut t = json!({
        "Name": format!("{}-{}", r.service, r.label),
        "service": r.service,
        "team": r.team,
        "environment": "production",
    });
    // An update in this plan is a team adding its cost centre.
    if !(previous && r.action == Action::Update)
        && let Value::Object(m) = &mut t
    {
        m.insert(
            "cost_center".into(),
            Value::from(format!("cc-{}", 1000 + r.seq % 37)),
        );
    }
    t
}

/// `tags` merged with the provider's `default_tags`.
fn tags_all(tags: &Value) -> Value {
    let mut all = tags.clone();
    if let Value::Object(m) = &mut all {
        m.insert("managed_by".into(), Value::from("terraform"));
    }
    all
}

fn ingress_block(r: &Ingress) -> Value {
    json!({
        "cidr_blocks": [r.cidr],
        "description": r.description,
        "from_port": r.from,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": r.protocol,
        "security_groups": [],
        "self": false,
        "to_port": r.to,
    })
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The attributes of `r` in `state`, except its links.
fn render(r: &Resource, state: State) -> Attrs {
    let mut a = Attrs::default();
    let seq = r.seq;
    let previous = state == State::Previous;
    if r.kind.taggable() {
        let t = tags(r, previous);
        a.defaults.insert("tags_all".into(), tags_all(&t));
        a.config.insert("tags".into(), t);
    }
    match &r.kind {
        Kind::Bucket { bucket } => {
            a.config
                .insert("bucket".into(), Value::from(bucket.as_str()));
            a.defaults
                .insert("force_destroy".into(), Value::from(false));
            a.defaults.insert("timeouts".into(), Value::Null);
            a.computed = object(json!({
                "acceleration_status": "",
                "acl": null,
                "arn": r.output("arn"),
                "bucket_domain_name": format!("{bucket}.s3.amazonaws.com"),
                "bucket_prefix": "",
                "bucket_regional_domain_name": format!("{bucket}.s3.{REGION}.amazonaws.com"),
                "cors_rule": [],
                "grant": [{ "id": hex(seq ^ 0xc0ffee, 64), "permissions": ["FULL_CONTROL"], "type": "CanonicalUser", "uri": "" }],
                "hosted_zone_id": "Z1BKCTXD74EZPE",
                "id": bucket,
                "lifecycle_rule": [],
                "logging": [],
                "object_lock_configuration": [],
                "object_lock_enabled": false,
                "policy": "",
                "region": REGION,
                "replication_configuration": [],
                "request_payer": "BucketOwner",
                // S3 encrypts every bucket by default since 2023; the
                // provider reports it on the bucket itself.
                "server_side_encryption_configuration": [{ "rule": [{
                    "apply_server_side_encryption_by_default": [{ "kms_master_key_id": "", "sse_algorithm": "AES256" }],
                    "bucket_key_enabled": false }] }],
                "versioning": [{ "enabled": false, "mfa_delete": false }],
                "website": [],
                "website_domain": null,
                "website_endpoint": null,
            }));
        }
        Kind::BucketEncryption { kms } => {
            let algorithm = if kms.is_some() { "aws:kms" } else { "AES256" };
            let mut by_default = json!({ "sse_algorithm": algorithm });
            let mut by_default_expr = json!({ "sse_algorithm": { "constant_value": algorithm } });
            match kms {
                Some(k) if state == State::Planned && k.created => {
                    a.unknown.insert(
                        "rule".into(),
                        json!([{ "apply_server_side_encryption_by_default": [{ "kms_master_key_id": true }] }]),
                    );
                    by_default_expr["kms_master_key_id"] = k.expression();
                }
                Some(k) => {
                    by_default["kms_master_key_id"] = Value::from(k.value.as_str());
                    by_default_expr["kms_master_key_id"] = k.expression();
                }
                None => by_default["kms_master_key_id"] = Value::Null,
            }
            a.defaults.insert(
                "rule".into(),
                json!([{ "apply_server_side_encryption_by_default": [by_default], "bucket_key_enabled": kms.is_some() }]),
            );
            a.expressions.insert(
                "rule".into(),
                json!([{ "apply_server_side_encryption_by_default": [by_default_expr], "bucket_key_enabled": { "constant_value": kms.is_some() } }]),
            );
            a.defaults
                .insert("expected_bucket_owner".into(), Value::Null);
            a.computed
                .insert("id".into(), Value::from(r.link_value("bucket")));
        }
        Kind::PublicAccessBlock { blocked } => {
            for setting in [
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ] {
                a.config.insert(setting.into(), Value::from(*blocked));
            }
            a.defaults.insert("skip_destroy".into(), Value::Null);
            a.computed
                .insert("id".into(), Value::from(r.link_value("bucket")));
        }
        Kind::BucketAcl { public } => {
            let acl = if *public { "public-read" } else { "private" };
            let owner = hex(seq ^ 0xc0ffee, 64);
            let mut grants = vec![json!({
                "grantee": [{ "display_name": "", "email_address": "", "id": owner, "type": "CanonicalUser", "uri": "" }],
                "permission": "FULL_CONTROL",
            })];
            if *public {
                grants.push(json!({
                    "grantee": [{ "display_name": "", "email_address": "", "id": "", "type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers" }],
                    "permission": "READ",
                }));
            }
            a.config.insert("acl".into(), Value::from(acl));
            a.defaults
                .insert("expected_bucket_owner".into(), Value::Null);
            a.computed.insert(
                "access_control_policy".into(),
                json!([{ "grant": grants, "owner": [{ "display_name": "", "id": owner }] }]),
            );
            a.computed.insert(
                "id".into(),
                Value::from(format!("{},{acl}", r.link_value("bucket"))),
            );
        }
        Kind::BucketVersioning { enabled } => {
            let status = if *enabled { "Enabled" } else { "Suspended" };
            a.blocks.insert(
                "versioning_configuration".into(),
                json!([{ "status": status }]),
            );
            a.defaults
                .insert("expected_bucket_owner".into(), Value::Null);
            a.defaults.insert("mfa".into(), Value::Null);
            a.computed
                .insert("id".into(), Value::from(r.link_value("bucket")));
        }
        Kind::KmsKey { rotation } => {
            a.config.insert(
                "description".into(),
                Value::from(format!("{} data key", r.service)),
            );
            a.config
                .insert("enable_key_rotation".into(), Value::from(*rotation));
            a.config
                .insert("deletion_window_in_days".into(), Value::from(30));
            a.defaults.extend(object(json!({
                "bypass_policy_lockout_safety_check": false,
                "custom_key_store_id": null,
                "customer_master_key_spec": "SYMMETRIC_DEFAULT",
                "is_enabled": true,
                "key_usage": "ENCRYPT_DECRYPT",
                "timeouts": null,
                "xks_key_id": null,
            })));
            let policy = json!({
                "Version": "2012-10-17",
                "Id": "key-default-1",
                "Statement": [{ "Sid": "Enable IAM User Permissions", "Effect": "Allow",
                    "Principal": { "AWS": format!("arn:aws:iam::{ACCOUNT}:root") },
                    "Action": "kms:*", "Resource": "*" }],
            });
            a.computed = object(json!({
                "arn": r.output("arn"),
                "id": uuid(seq),
                "key_id": uuid(seq),
                "multi_region": false,
                "policy": policy.to_string(),
                "rotation_period_in_days": if *rotation { json!(365) } else { Value::Null },
            }));
        }
        Kind::SecurityGroup { inline, rules } => {
            a.config
                .insert("name".into(), Value::from(format!("{}-app", r.service)));
            a.config.insert(
                "description".into(),
                Value::from(format!("{} application", r.service)),
            );
            a.config.insert(
                "egress".into(),
                json!([{ "cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0, "ipv6_cidr_blocks": [],
                    "prefix_list_ids": [], "protocol": "-1", "security_groups": [], "self": false, "to_port": 0 }]),
            );
            let ingress = Value::Array(rules.iter().map(ingress_block).collect());
            if *inline {
                a.config.insert("ingress".into(), ingress);
            } else {
                // Managed by separate rule resources; the provider reads
                // them back into the group.
                a.computed.insert("ingress".into(), ingress);
            }
            a.defaults.insert("vpc_id".into(), Value::from(VPC));
            a.expressions
                .insert("vpc_id".into(), json!({ "references": ["var.vpc_id"] }));
            a.defaults
                .insert("revoke_rules_on_delete".into(), Value::from(false));
            a.defaults.insert("timeouts".into(), Value::Null);
            let id = r.output("id");
            a.computed.insert(
                "arn".into(),
                Value::from(format!(
                    "arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{id}"
                )),
            );
            a.computed.insert("id".into(), Value::from(id));
            a.computed.insert("name_prefix".into(), Value::from(""));
            a.computed.insert("owner_id".into(), Value::from(ACCOUNT));
        }
        Kind::IngressRule(rule) => {
            a.config.insert("cidr_ipv4".into(), Value::from(rule.cidr));
            a.config
                .insert("description".into(), Value::from(rule.description));
            a.config.insert("from_port".into(), Value::from(rule.from));
            a.config.insert("to_port".into(), Value::from(rule.to));
            a.config
                .insert("ip_protocol".into(), Value::from(rule.protocol));
            a.defaults.extend(object(json!({
                "cidr_ipv6": null,
                "prefix_list_id": null,
                "referenced_security_group_id": null,
                "tags": null,
            })));
            let id = format!("sgr-0{}", hex(seq, 16));
            a.computed = object(json!({
                "arn": format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group-rule/{id}"),
                "id": id,
                "security_group_rule_id": id,
                "tags_all": {},
            }));
        }
        Kind::LegacyRule(rule) => {
            a.config.insert("type".into(), Value::from("ingress"));
            a.config.insert("cidr_blocks".into(), json!([rule.cidr]));
            a.config
                .insert("description".into(), Value::from(rule.description));
            a.config.insert("from_port".into(), Value::from(rule.from));
            a.config.insert("to_port".into(), Value::from(rule.to));
            a.config
                .insert("protocol".into(), Value::from(rule.protocol));
            a.defaults.extend(object(json!({
                "ipv6_cidr_blocks": null,
                "prefix_list_ids": null,
                "self": false,
                "timeouts": null,
            })));
            a.computed = object(json!({
                "id": format!("sgrule-{}", mix(seq) % 10_000_000_000),
                "security_group_rule_id": format!("sgr-0{}", hex(seq, 16)),
                "source_security_group_id": null,
            }));
        }
        Kind::Database {
            encrypted,
            public,
            retention,
        } => {
            let identifier = format!("{}-db", r.service);
            // Renaming the database forces a new instance.
            let db_name = if previous && r.action == Action::Replace {
                "app_v1"
            } else {
                "app"
            };
            a.config.extend(object(json!({
                "allocated_storage": 100,
                "backup_retention_period": retention,
                "db_name": db_name,
                "deletion_protection": true,
                "engine": "postgres",
                "engine_version": "16.4",
                "final_snapshot_identifier": format!("{identifier}-final"),
                "identifier": identifier,
                "instance_class": DB_CLASSES[(seq % DB_CLASSES.len() as u64) as usize],
                "multi_az": !seq.is_multiple_of(3),
                "publicly_accessible": public,
                "skip_final_snapshot": false,
                "storage_encrypted": encrypted,
                "storage_type": "gp3",
                "username": "app_admin",
            })));
            a.defaults
                .insert("password".into(), Value::from(hex(seq ^ 0x5ec2e7, 24)));
            a.expressions.insert(
                "password".into(),
                json!({ "references": ["var.db_password"] }),
            );
            a.sensitive.insert("password".into(), Value::from(true));
            a.defaults.extend(object(json!({
                "apply_immediately": false,
                "auto_minor_version_upgrade": true,
                "copy_tags_to_snapshot": false,
                "iam_database_authentication_enabled": false,
                "monitoring_interval": 0,
                "performance_insights_enabled": false,
                "timeouts": null,
            })));
            let address = format!("{identifier}.c{}.{REGION}.rds.amazonaws.com", hex(seq, 11));
            let resource_id = iam_id("db-", seq);
            a.computed = object(json!({
                "address": address,
                "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:{identifier}"),
                "availability_zone": format!("{REGION}a"),
                "backup_window": "03:00-03:30",
                "ca_cert_identifier": "rds-ca-rsa2048-g1",
                "endpoint": format!("{address}:5432"),
                "hosted_zone_id": "Z29XKXDKYMONMX",
                "id": resource_id,
                "maintenance_window": "sun:04:00-sun:04:30",
                "port": 5432,
                "resource_id": resource_id,
                "status": "available",
            }));
            if r.links.iter().all(|l| l.attr != "kms_key_id") {
                let key = if *encrypted {
                    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{}", uuid(seq ^ 0xa115))
                } else {
                    String::new()
                };
                a.computed.insert("kms_key_id".into(), Value::from(key));
            }
        }
        Kind::Volume { encrypted, size } => {
            // Moving a volume to another zone forces a new one.
            let zone = if previous && r.action == Action::Replace {
                "b"
            } else {
                "a"
            };
            a.config.insert(
                "availability_zone".into(),
                Value::from(format!("{REGION}{zone}")),
            );
            a.config.insert("encrypted".into(), Value::from(*encrypted));
            a.config.insert("size".into(), Value::from(*size));
            a.config.insert("type".into(), Value::from("gp3"));
            a.defaults.extend(object(json!({
                "final_snapshot": false,
                "multi_attach_enabled": false,
                "outpost_arn": null,
                "timeouts": null,
            })));
            let id = format!("vol-0{}", hex(seq, 16));
            a.computed = object(json!({
                "arn": format!("arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{id}"),
                "id": id,
                "iops": 3000,
                "snapshot_id": "",
                "throughput": 125,
            }));
            if r.links.is_empty() {
                let key = if *encrypted {
                    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{}", uuid(seq ^ 0xeb5))
                } else {
                    String::new()
                };
                a.computed.insert("kms_key_id".into(), Value::from(key));
            }
        }
        Kind::Instance {
            encrypted,
            imdsv2,
            instance_type,
        } => {
            // A new image forces new instances.
            let ami = if previous && r.action == Action::Replace {
                "ami-0b5e3c4a1f2d6e789"
            } else {
                "ami-0c7d2e9f4a1b3c568"
            };
            a.config.insert("ami".into(), Value::from(ami));
            a.config
                .insert("instance_type".into(), Value::from(*instance_type));
            a.config.insert("monitoring".into(), Value::from(true));
            a.config.insert(
                "subnet_id".into(),
                Value::from(format!("subnet-0{}", hex(seq / 8, 16))),
            );
            a.blocks.insert(
                "root_block_device".into(),
                json!([{ "delete_on_termination": true, "encrypted": encrypted, "volume_size": 30, "volume_type": "gp3" }]),
            );
            a.blocks.insert(
                "metadata_options".into(),
                json!([{ "http_endpoint": "enabled", "http_put_response_hop_limit": 1,
                    "http_tokens": if *imdsv2 { "required" } else { "optional" } }]),
            );
            a.defaults.extend(object(json!({
                "get_password_data": false,
                "source_dest_check": true,
                "timeouts": null,
                "user_data_replace_on_change": false,
                "volume_tags": null,
            })));
            let id = format!("i-0{}", hex(seq, 16));
            let ip = mix(seq);
            a.computed = object(json!({
                "arn": format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{id}"),
                "availability_zone": format!("{REGION}a"),
                "id": id,
                "instance_state": "running",
                "primary_network_interface_id": format!("eni-0{}", hex(seq ^ 0xe41, 16)),
                "private_ip": format!("10.{}.{}.{}", (ip >> 16) & 255, (ip >> 8) & 255, 1 + (ip & 127)),
                "public_ip": "",
            }));
        }
        Kind::Role => {
            let assume = json!({
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Principal": { "Service": "ec2.amazonaws.com" }, "Action": "sts:AssumeRole" }],
            });
            a.config.insert("name".into(), Value::from(r.role_name()));
            a.config.insert("path".into(), Value::from("/"));
            a.config.insert(
                "description".into(),
                Value::from(format!("Runtime role of {}", r.service)),
            );
            a.config
                .insert("assume_role_policy".into(), Value::from(assume.to_string()));
            a.config
                .insert("max_session_duration".into(), Value::from(3600));
            a.defaults
                .insert("force_detach_policies".into(), Value::from(false));
            a.defaults
                .insert("permissions_boundary".into(), Value::Null);
            a.computed = object(json!({
                "arn": r.output("arn"),
                "create_date": utc_time(REFERENCE - (200 + (seq % 1500) as i64) * DAY).unwrap_or_default(),
                "id": r.role_name(),
                "inline_policy": [],
                "managed_policy_arns": [format!("arn:aws:iam::{ACCOUNT}:policy/{}", r.policy_name())],
                "unique_id": iam_id("AROA", seq),
            }));
        }
        Kind::Policy { admin } => {
            let statement = if *admin {
                json!([{ "Effect": "Allow", "Action": "*", "Resource": "*" }])
            } else {
                json!([
                    { "Sid": "AppData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                      "Resource": [format!("arn:aws:s3:::acme-{}-*", r.service), format!("arn:aws:s3:::acme-{}-*/*", r.service)] },
                    { "Sid": "AppKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                      "Resource": format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/*") },
                ])
            };
            let document = json!({ "Version": "2012-10-17", "Statement": statement });
            a.config.insert("name".into(), Value::from(r.policy_name()));
            a.config.insert("path".into(), Value::from("/"));
            a.config.insert(
                "description".into(),
                Value::from(format!("What {} may do", r.service)),
            );
            a.config
                .insert("policy".into(), Value::from(document.to_string()));
            let arn = r.output("arn");
            a.computed = object(json!({
                "arn": arn,
                "attachment_count": 1,
                "id": arn,
                "policy_id": iam_id("ANPA", seq),
            }));
        }
        Kind::Attachment => {
            a.computed.insert(
                "id".into(),
                Value::from(format!("{}-{}", r.link_value("role"), hex(seq, 26))),
            );
        }
    }
    a
}

/// A resource's values in `state`, links included: the values, the
/// `after_unknown` markers and the sensitive markers.
fn values(r: &Resource, state: State) -> (Map<String, Value>, Map<String, Value>, Value) {
    let a = render(r, state);
    let planned = state == State::Planned;
    let mut values = a.config;
    values.extend(a.blocks);
    values.extend(a.defaults);
    let mut unknown = a.unknown;
    for l in &r.links {
        if planned && l.created {
            unknown.insert(l.attr.into(), Value::Bool(true));
        } else {
            values.insert(l.attr.into(), l.known());
        }
    }
    if planned {
        for k in a.computed.keys() {
            unknown.insert(k.clone(), Value::Bool(true));
        }
    } else {
        values.extend(a.computed);
    }
    (values, unknown, Value::Object(a.sensitive))
}

/// The attribute whose change forces a replacement (`replace_paths`).
fn replace_path(kind: &Kind) -> &'static str {
    match kind {
        Kind::Database { .. } => "db_name",
        Kind::Volume { .. } => "availability_zone",
        _ => "ami",
    }
}

fn resource_change(r: &Resource) -> Value {
    let (before, before_sensitive) = match r.action {
        Action::Create => (Value::Null, Value::Bool(false)),
        Action::NoOp | Action::Delete => {
            let (v, _, s) = values(r, State::Applied);
            (Value::Object(v), s)
        }
        Action::Update | Action::Replace => {
            let (v, _, s) = values(r, State::Previous);
            (Value::Object(v), s)
        }
    };
    let (after, after_unknown, after_sensitive) = match r.action {
        Action::Delete => (Value::Null, Map::new(), Value::Bool(false)),
        Action::NoOp | Action::Update => {
            let (v, u, s) = values(r, State::Applied);
            (Value::Object(v), u, s)
        }
        Action::Create | Action::Replace => {
            let (v, u, s) = values(r, State::Planned);
            (Value::Object(v), u, s)
        }
    };
    let mut change = json!({
        "actions": r.action.actions(),
        "before": before,
        "after": after,
        "after_unknown": after_unknown,
        "before_sensitive": before_sensitive,
        "after_sensitive": after_sensitive,
    });
    if r.action == Action::Replace {
        change["replace_paths"] = json!([[replace_path(&r.kind)]]);
    }
    let mut rc = json!({
        "address": r.address(),
        "mode": "managed",
        "type": r.kind.resource_type(),
        "name": r.name,
        "provider_name": PROVIDER,
        "change": change,
    });
    if let Some(m) = &r.module {
        rc["module_address"] = Value::from(format!("module.{m}"));
    }
    if let Some((i, _)) = r.count {
        rc["index"] = Value::from(i);
    }
    match r.action {
        Action::Replace => rc["action_reason"] = Value::from("replace_because_cannot_update"),
        Action::Delete => rc["action_reason"] = Value::from("delete_because_no_resource_config"),
        _ => {}
    }
    rc
}

/// The resource's entry in `planned_values`, if it still exists after the
/// plan.
fn planned_value(r: &Resource) -> Option<Value> {
    let state = match r.action {
        Action::Delete => return None,
        Action::Create | Action::Replace => State::Planned,
        Action::NoOp | Action::Update => State::Applied,
    };
    let (v, _, sensitive) = values(r, state);
    let mut pv = json!({
        "address": r.address(),
        "mode": "managed",
        "type": r.kind.resource_type(),
        "name": r.name,
        "provider_name": PROVIDER,
        "schema_version": r.kind.schema_version(),
        "values": v,
        "sensitive_values": sensitive,
    });
    if let Some((i, _)) = r.count {
        pv["index"] = Value::from(i);
    }
    Some(pv)
}

/// A nested block's configuration expression: every leaf a constant.
fn block_expression(v: &Value) -> Value {
    match v {
        Value::Array(items) if items.iter().all(Value::is_object) => {
            Value::Array(items.iter().map(block_expression).collect())
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), block_expression(v)))
                .collect(),
        ),
        leaf => json!({ "constant_value": leaf }),
    }
}

/// The resource's entry in `configuration` (one per counted resource),
/// if the configuration still declares it.
fn config_resource(r: &Resource) -> Option<Value> {
    if r.action == Action::Delete || r.count.is_some_and(|(i, _)| i > 0) {
        return None;
    }
    let a = render(r, State::Applied);
    let mut expressions: Map<String, Value> = a
        .config
        .into_iter()
        .map(|(k, v)| (k, json!({ "constant_value": v })))
        .collect();
    for (k, v) in &a.blocks {
        expressions.insert(k.clone(), block_expression(v));
    }
    expressions.extend(a.expressions);
    for l in &r.links {
        expressions.insert(l.attr.into(), l.expression());
    }
    let mut c = json!({
        "address": r.local(),
        "mode": "managed",
        "type": r.kind.resource_type(),
        "name": r.name,
        "provider_config_key": "aws",
        "expressions": expressions,
        "schema_version": r.kind.schema_version(),
    });
    if let Some((_, count)) = r.count {
        c["count_expression"] = json!({ "constant_value": count });
    }
    Some(c)
}

/// Writes `items` as the elements of a JSON array (without brackets).
fn write_elements<W: Write>(out: &mut W, items: impl Iterator<Item = Value>) -> io::Result<()> {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &item)?;
    }
    Ok(())
}

/// Writes `terraform show -json` of a plan with `resources` resource
/// changes (compact, as Terraform writes it), streamed: only the
/// resources' compact descriptions are held in memory.
pub fn write_plan(out: &mut impl Write, resources: usize) -> io::Result<()> {
    let all = plan_resources(resources);
    let password = hex(SEED_PLAN, 24);
    let module_variables = json!({
        "db_password": { "references": ["var.db_password"] },
        "environment": { "references": ["var.environment"] },
        "vpc_id": { "references": ["var.vpc_id"] },
    });
    let in_modules = || {
        all.chunk_by(|a, b| a.module == b.module)
            .filter_map(|run| Some((run[0].module.as_deref()?, run)))
    };

    write!(
        out,
        r#"{{"format_version":"1.2","terraform_version":"{TERRAFORM_VERSION}","variables":"#
    )?;
    serde_json::to_writer(
        &mut *out,
        &json!({
            "db_password": { "value": password },
            "environment": { "value": "production" },
            "region": { "value": REGION },
            "vpc_id": { "value": VPC },
        }),
    )?;

    out.write_all(br#","planned_values":{"root_module":{"resources":["#)?;
    write_elements(
        out,
        all.iter()
            .filter(|r| r.module.is_none())
            .filter_map(planned_value),
    )?;
    out.write_all(br#"],"child_modules":["#)?;
    let mut first = true;
    for (name, run) in in_modules() {
        if run.iter().all(|r| r.action == Action::Delete) {
            continue;
        }
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(br#"{"resources":["#)?;
        write_elements(out, run.iter().filter_map(planned_value))?;
        write!(out, r#"],"address":"module.{name}"}}"#)?;
    }

    out.write_all(br#"]}},"resource_changes":["#)?;
    write_elements(out, all.iter().map(resource_change))?;

    out.write_all(br#"],"configuration":{"provider_config":"#)?;
    serde_json::to_writer(
        &mut *out,
        &json!({ "aws": {
            "name": "aws",
            "full_name": PROVIDER,
            "expressions": {
                "region": { "references": ["var.region"] },
                "default_tags": [{ "tags": { "constant_value": { "managed_by": "terraform" } } }],
            },
        } }),
    )?;
    out.write_all(br#","root_module":{"resources":["#)?;
    write_elements(
        out,
        all.iter()
            .filter(|r| r.module.is_none())
            .filter_map(config_resource),
    )?;
    out.write_all(br#"],"module_calls":{"#)?;
    for (i, (name, run)) in in_modules().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, name)?;
        write!(
            out,
            r#":{{"source":"./services/{}","expressions":{module_variables},"module":{{"resources":["#,
            name.replace('_', "-")
        )?;
        write_elements(out, run.iter().filter_map(config_resource))?;
        out.write_all(
            br#"],"variables":{"db_password":{"sensitive":true},"environment":{},"vpc_id":{}}}}"#,
        )?;
    }
    out.write_all(br#"},"variables":"#)?;
    serde_json::to_writer(
        &mut *out,
        &json!({
            "db_password": { "description": "Master password of the databases", "sensitive": true },
            "environment": { "default": "production" },
            "region": { "default": REGION },
            "vpc_id": { "description": "The VPC every service runs in" },
        }),
    )?;
    write!(
        out,
        r#"}}}},"timestamp":"{}","applyable":true,"complete":true,"errored":false}}"#,
        utc_time(REFERENCE - 6 * 3600)?
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// A plan large enough to hold every kind of change and every problem
    /// the Terraform checks look for.
    #[test]
    fn plans_mix_changes_and_problems() {
        let mut bytes = Vec::new();
        write_plan(&mut bytes, 2_000).unwrap();
        let plan = evident_normalize::normalize("plan.json", "application/json", &bytes)
            .unwrap()
            .unwrap();
        let changes = plan.document["resource_changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2_000);
        let actions: HashSet<&str> = changes
            .iter()
            .filter_map(|c| c["action"].as_str())
            .collect();
        let expected: HashSet<&str> = ["create", "no-op", "update", "delete", "replace"].into();
        assert_eq!(actions, expected);
        let after = |c: &&Value, attr: &str| c["after"][attr].clone();
        let count = |f: &dyn Fn(&&Value) -> bool| changes.iter().filter(|c| f(c)).count();
        let of_type = |c: &&Value, t: &str| c["type"] == t;
        let checks: [(&str, usize); 8] = [
            ("in a module", count(&|c| !c["module_address"].is_null())),
            ("counted", count(&|c| !c["index"].is_null())),
            (
                "SSH open to the internet",
                count(&|c| {
                    of_type(c, "aws_vpc_security_group_ingress_rule")
                        && after(c, "cidr_ipv4") == "0.0.0.0/0"
                        && after(c, "from_port") == 22
                }),
            ),
            (
                "inline rule open to the internet",
                count(&|c| {
                    of_type(c, "aws_security_group")
                        && after(c, "ingress").as_array().is_some_and(|i| {
                            i.iter().any(|r| {
                                r["cidr_blocks"][0] == "0.0.0.0/0"
                                    && r["from_port"] != 443
                                    && r["from_port"] != 80
                            })
                        })
                }),
            ),
            (
                "public access block off",
                count(&|c| {
                    of_type(c, "aws_s3_bucket_public_access_block")
                        && after(c, "block_public_acls") == false
                }),
            ),
            (
                "unencrypted volume",
                count(&|c| of_type(c, "aws_ebs_volume") && after(c, "encrypted") == false),
            ),
            (
                "database without backups",
                count(&|c| {
                    of_type(c, "aws_db_instance") && after(c, "backup_retention_period") == 0
                }),
            ),
            (
                "redacted password",
                count(&|c| of_type(c, "aws_db_instance") && after(c, "password") == "(sensitive)"),
            ),
        ];
        for (what, n) in checks {
            assert!(n > 0 && n < 2_000 / 5, "{what}: {n}");
        }
    }
}
