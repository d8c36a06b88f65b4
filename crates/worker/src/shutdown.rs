//! How a worker stops: first it takes no new job (draining), then, once the grace period is
//! over, the jobs still running are interrupted and handed back.

use tokio_util::sync::CancellationToken;

/// Shared by the consumer, which decides when, and the runner, which obeys. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    draining: CancellationToken,
    interrupt: CancellationToken,
}

impl Shutdown {
    /// No job is claimed from now on; running ones go on.
    pub fn drain(&self) {
        self.draining.cancel();
    }

    pub fn is_draining(&self) -> bool {
        self.draining.is_cancelled()
    }

    /// Running jobs are to stop now, leaving nothing half-written behind.
    pub fn interrupt(&self) {
        self.drain();
        self.interrupt.cancel();
    }

    /// What a handler watches to know it must stop.
    pub fn interrupted(&self) -> &CancellationToken {
        &self.interrupt
    }
}
