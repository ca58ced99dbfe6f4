using System.Security.Cryptography.X509Certificates;

namespace TelemetryCluster.Streams.Shared.Tls;

/// <summary>Chain validation against configured CA certificates only (no system roots, no revocation check).</summary>
internal static class TlsTrust
{
    public static bool BuildWithRoots(X509Certificate2 certificate, X509Certificate2Collection roots, X509Chain? presented = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }
}
