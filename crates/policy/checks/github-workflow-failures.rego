# METADATA
# title: Workflows on the default branch pass
# description: >-
#   The latest completed run of each GitHub Actions workflow on the default
#   branches (branches) did not fail, time out or fail to start, so the tests
#   and security scans that guard the branch are green. A failed run that a
#   later run of the same workflow on the same branch passed is a warning:
#   the failure was seen and fixed. Set fixed_failures_fail to make every
#   failed run a failure. Cancelled and skipped runs, runs still in
#   progress, and runs on other branches are not judged. A webhook carries
#   one run, so there a failed run is always the latest.
# custom:
#   id: github-workflow-failures
#   formats: [github-workflow-runs]
#   requirements: [A.8.29]
#   parameters:
#     branches: [main, master]
#     fixed_failures_fail: false
package evident.checks.github_workflow_failures

failing := {"failure", "timed_out", "startup_failure"}

watched(run) if {
	run.status == "completed"
	some branch in data.evident.parameters.branches
	run.head_branch == branch
}

# A run's workflow: its id, else its file, else its name, since trimmed
# exports and some webhooks lack the id.
workflow_of(run) := run.workflow_id if run.workflow_id != null

workflow_of(run) := run.path if {
	run.workflow_id == null
	run.path != null
}

workflow_of(run) := run.workflow_name if {
	run.workflow_id == null
	run.path == null
}

# A failure is fixed only by a later run of the same workflow on the same
# branch of the same repository: its series.
series(run) := sprintf("%v %v %v", [run.repository, run.head_branch, workflow_of(run)])

# Successful runs by series and time. Sorting once and taking the last of
# each series keeps this linear-logarithmic: comparing every failure with
# every run took tens of seconds on a few thousand runs.
successes := sort([[series(run), run.created_at, run.run_number] |
	some run in input.workflow_runs
	watched(run)
	run.conclusion == "success"
])

latest_success := {s[0]: s |
	some i, s in successes
	last_of_series(i)
}

last_of_series(i) if i == count(successes) - 1

last_of_series(i) if successes[i + 1][0] != successes[i][0]

# The latest passing run of the series, when it is later than the failure:
# the failure was fixed.
fixed_by(run) := latest if {
	latest := latest_success[series(run)]
	[latest[1], latest[2]] > [run.created_at, run.run_number]
}

failed contains run if {
	some run in input.workflow_runs
	watched(run)
	run.conclusion in failing
}

describe(run) := sprintf("workflow %s run #%v on %s %s (commit %s) %s: %s", [quote(run.workflow_name), run.run_number, run.repository, run.head_branch, short(run.head_sha), verb[run.conclusion], run.html_url])

# Quoted when a string: %q fails on anything else.
quote(x) := sprintf("%q", [x]) if is_string(x)

quote(x) := "(unnamed)" if not is_string(x)

verb := {"failure": "failed", "timed_out": "timed out", "startup_failure": "failed to start"}

short(sha) := substring(sha, 0, 12) if is_string(sha)

short(sha) := "unknown" if not is_string(sha)

deny contains msg if {
	some run in failed
	not fixed_by(run)
	msg := describe(run)
}

deny contains msg if {
	data.evident.parameters.fixed_failures_fail == true
	some run in failed
	fix := fixed_by(run)
	msg := sprintf("%s (the workflow passed again since, latest in run #%v)", [describe(run), fix[2]])
}

warn contains msg if {
	data.evident.parameters.fixed_failures_fail != true
	some run in failed
	fix := fixed_by(run)
	msg := sprintf("%s (the workflow passed again since, latest in run #%v)", [describe(run), fix[2]])
}
