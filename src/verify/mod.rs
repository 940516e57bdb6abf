//! Compiled task → what running it proves. Each check here runs the real
//! runtime on a task that compiled cleanly against a sound domain: today,
//! that its gold episode scores 1.0 ([`solvability`], E1001).

mod solvability;

use std::sync::Arc;

use crate::diagnostic::Cx;
use crate::runtime::env::{Allowed, TaskRuntime};
use crate::source::Span;
use crate::spec::{DomainSpec, TaskMatching, TaskSpec};

/// Runs tasks of one domain; built once per compilation.
pub(crate) struct Verifier {
    domain: Arc<DomainSpec>,
    allowed: Arc<Allowed>,
}

impl Verifier {
    pub fn new(domain: &DomainSpec) -> Self {
        let domain = Arc::new(domain.clone());
        let allowed = TaskRuntime::allowed(&domain);
        Self { domain, allowed }
    }

    /// Proves everything this stage proves of one task, reporting at `at`
    /// (the task's id) what does not hold.
    pub fn task(&self, cx: &mut Cx, at: Span, spec: TaskSpec, matching: &TaskMatching) {
        let rt = TaskRuntime::from_spec(
            spec,
            self.domain.clone(),
            self.allowed.clone(),
            Some(matching),
        );
        solvability::check(cx, at, Arc::new(rt));
    }
}
