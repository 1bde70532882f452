# METADATA
# title: Administration ports are not open to the internet
# description: >-
#   No security group admits traffic from anywhere (0.0.0.0/0 or ::/0) to an
#   administration port in `admin_ports` (SSH, Telnet, RDP, VNC, WinRM,
#   the Docker API by default), whether by a single port, a port range that
#   includes it, or an all-protocols rule. Reads inline `ingress` blocks of
#   aws_security_group, aws_security_group_rule of type ingress, and
#   aws_vpc_security_group_ingress_rule, in a plan or a state. Remote
#   administration belongs behind a VPN, a bastion with restricted sources,
#   or Session Manager.
# custom:
#   id: terraform-open-admin-ports
#   formats: [terraform-plan, terraform-state]
#   requirements: [A.8.20]
#   parameters:
#     admin_ports: [22, 23, 2375, 2376, 3389, 5900, 5985, 5986]
package evident.checks.terraform_open_admin_ports

admin_ports := p if {
	p := data.evident.parameters.admin_ports
	is_array(p)
	every port in p {
		is_number(port)
	}
}

# A missing or mistyped parameter must not turn the check into a silent pass.
deny contains msg if {
	not admin_ports
	msg := "parameter admin_ports must be a list of port numbers"
}

deny contains msg if {
	some rule in ingress_rules
	some cidr in rule.cidrs
	whole_internet(cidr)
	exposed := sort([p | some p in admin_ports; reaches(rule, p)])
	count(exposed) > 0
	msg := sprintf("%s allows %s from %s, exposing %s", [rule.address, traffic(rule), cidr, port_list(exposed)])
}

# One entry per ingress rule, whichever resource type declares it.
ingress_rules contains rule if {
	some r in resources
	r.type == "aws_security_group"
	some block in blocks(object.get(r.values, "ingress", []))
	rule := {
		"address": r.address,
		"protocol": protocol(object.get(block, "protocol", null)),
		"from": object.get(block, "from_port", null),
		"to": object.get(block, "to_port", null),
		"cidrs": array.concat(
			strings(object.get(block, "cidr_blocks", [])),
			strings(object.get(block, "ipv6_cidr_blocks", [])),
		),
	}
}

ingress_rules contains rule if {
	some r in resources
	r.type == "aws_security_group_rule"
	object.get(r.values, "type", null) == "ingress"
	rule := {
		"address": r.address,
		"protocol": protocol(object.get(r.values, "protocol", null)),
		"from": object.get(r.values, "from_port", null),
		"to": object.get(r.values, "to_port", null),
		"cidrs": array.concat(
			strings(object.get(r.values, "cidr_blocks", [])),
			strings(object.get(r.values, "ipv6_cidr_blocks", [])),
		),
	}
}

ingress_rules contains rule if {
	some r in resources
	r.type == "aws_vpc_security_group_ingress_rule"
	rule := {
		"address": r.address,
		"protocol": protocol(object.get(r.values, "ip_protocol", null)),
		"from": object.get(r.values, "from_port", null),
		"to": object.get(r.values, "to_port", null),
		"cidrs": strings([object.get(r.values, "cidr_ipv4", null), object.get(r.values, "cidr_ipv6", null)]),
	}
}

# AWS accepts protocol names or IANA numbers; -1 (or "all") is every
# protocol on every port.
protocol_names := {"-1": "all", "all": "all", "tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}

protocol(p) := name if {
	name := protocol_names[lower(sprintf("%v", [p]))]
} else := lower(sprintf("%v", [p]))

# Only the whole address space counts: 0.0.0.0/0 or ::/0, in any spelling
# (1.2.3.4/0 is the same network). A large but bounded range (0.0.0.0/1) is
# not judged here.
whole_internet(cidr) if {
	is_string(cidr)
	net.cidr_is_valid(cidr)
	some everything in ["0.0.0.0/0", "::/0"]
	net.cidr_contains(cidr, everything)
}

reaches(rule, _) if rule.protocol == "all"

reaches(rule, port) if {
	rule.protocol in {"tcp", "udp"}
	is_number(rule.from)
	is_number(rule.to)
	rule.from <= port
	port <= rule.to
}

# Ports not known until apply could be any port.
reaches(rule, _) if {
	rule.protocol in {"tcp", "udp"}
	not known_ports(rule)
}

known_ports(rule) if {
	is_number(rule.from)
	is_number(rule.to)
}

traffic(rule) := "all traffic" if {
	rule.protocol == "all"
} else := sprintf("%s on ports not known until apply", [rule.protocol]) if {
	not known_ports(rule)
} else := sprintf("%s port %v", [rule.protocol, rule.from]) if {
	rule.from == rule.to
} else := sprintf("%s ports %v-%v", [rule.protocol, rule.from, rule.to])

port_list(ports) := sprintf("admin port %v", [ports[0]]) if {
	count(ports) == 1
} else := sprintf("admin ports %s", [concat(", ", [sprintf("%v", [p]) | some p in ports])])

# The blocks of a nested block list. Terraform writes an absent list as []
# or null, by provider version, and the values are verbatim: anything that
# is not a block is skipped rather than read.
blocks(x) := [b | some b in x; is_object(b)] if is_array(x) else := []

# The strings of a list (CIDR blocks), skipping anything else.
strings(x) := [s | some s in x; is_string(s)] if is_array(x) else := []

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
