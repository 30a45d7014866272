package org.wpunet.cuda.conformance;

import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.FusedConformance;

/** {@link FusedConformance} (weighted cross-entropy, optimiser updates, sum of squares) on cuda:0. */
@RequiresCuda
class CudaFusedConformanceTest extends FusedConformance {
    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
