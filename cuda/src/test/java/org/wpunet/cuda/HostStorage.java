package org.wpunet.cuda;

import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Storage;

/**
 * A storage on the host standing in for device memory in the kernel emulation: elements as doubles
 * (every value the tests use is exact in double), with the dtype the kernel is told.
 */
final class HostStorage extends Storage {
    final double[] v;

    HostStorage(DType dtype, int numel) {
        super(dtype, numel);
        v = new double[numel];
    }

    static HostStorage of(DType dtype, double... values) {
        HostStorage s = new HostStorage(dtype, values.length);
        System.arraycopy(values, 0, s.v, 0, values.length);
        return s;
    }

    @Override
    public Device device() { return Device.cuda(0); }

    @Override
    protected void free() {}
}
