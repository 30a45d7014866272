package org.wpunet.tracking.stats;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_FDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F32;

/**
 * Eigen-decomposition of a grain's 3x3 covariance tensor (second central moments of its voxels in um^2,
 * each voxel counted as a solid box so that a box-shaped grain gets exactly its own variances L^2/12).
 * The eigenvalues lambda1 >= lambda2 >= lambda3 are the variances along the principal axes; the
 * inertia tensor has the same axes. EJML's symmetric solver works in float: the tensor is divided by
 * its trace first, so the relative precision is float's (about 1e-7 of the largest variance).
 */
record PrincipalAxes(double lambda1, double lambda2, double lambda3, double dirX, double dirY, double dirZ) {

    static PrincipalAxes of(double cxx, double cyy, double czz, double cxy, double cxz, double cyz) {
        double trace = cxx + cyy + czz;
        if (!(trace > 0)) return new PrincipalAxes(0, 0, 0, 1, 0, 0);
        FMatrixRMaj m = new FMatrixRMaj(3, 3);
        double[] v = {cxx, cxy, cxz, cxy, cyy, cyz, cxz, cyz, czz};
        for (int i = 0; i < 9; i++) m.data[i] = (float) (v[i] / trace);
        EigenDecomposition_F32<FMatrixRMaj> eig = DecompositionFactory_FDRM.eig(3, true, true);
        if (!eig.decompose(m)) throw new IllegalStateException("eigen-decomposition of a covariance tensor failed");
        double[] lam = new double[3];
        float[][] vec = new float[3][];
        for (int k = 0; k < 3; k++) {
            lam[k] = Math.max(0, eig.getEigenvalue(k).getReal() * trace);   // rounding may give -1e-9
            FMatrixRMaj e = eig.getEigenVector(k);
            vec[k] = e == null ? new float[] {1, 0, 0} : e.data.clone();
        }
        int a = 0;
        for (int k = 1; k < 3; k++) if (lam[k] > lam[a]) a = k;
        int c = 0;
        for (int k = 1; k < 3; k++) if (lam[k] < lam[c]) c = k;
        if (c == a) c = (a + 1) % 3;
        int b = 3 - a - c;
        float[] d = vec[a];
        double norm = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        int big = 0;
        for (int k = 1; k < 3; k++) if (Math.abs(d[k]) > Math.abs(d[big])) big = k;
        double sign = d[big] < 0 ? -1 : 1;
        return new PrincipalAxes(lam[a], lam[b], lam[c], sign * d[0] / norm, sign * d[1] / norm, sign * d[2] / norm);
    }

    /** Full axis length of the ellipsoid with variance {@code lambda} along it: 2 sqrt(5 lambda). */
    static double axisLength(double lambda) { return 2 * Math.sqrt(5 * lambda); }
}
