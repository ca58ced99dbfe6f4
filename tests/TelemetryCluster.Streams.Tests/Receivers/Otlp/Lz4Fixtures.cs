namespace TelemetryCluster.Streams.Tests.Receivers.Otlp;

/// <summary>
/// LZ4 frames made by the reference <c>lz4</c> command-line tool (Debian package lz4) from <see cref="Text"/>:
/// <c>lz4 -9</c> (independent blocks, content checksum) and <c>lz4 -BD -B4 --content-size -BX -9</c> (linked 64 KiB
/// blocks, block checksums, content size) of the 1600-line text.
/// </summary>
internal static class Lz4Fixtures
{
    /// <summary>The fixture text: <paramref name="lines"/> numbered lines joined by \n (no trailing newline).</summary>
    public static string Text(int lines) =>
        string.Join("\n", Enumerable.Range(0, lines).Select(i => $"line {i} of the lz4 fixture, with repetition repetition repetition"));

    /// <summary><c>lz4 -9</c> of <c>Text(200)</c>.</summary>
    public static byte[] Small => Convert.FromBase64String(
        "BCJNGGRApwAEAAD/G2xpbmUgMCBvZiB0aGUgbHo0IGZpeHR1cmUsIHdpdGggcmVwZXRpdGlvbgsAAxEKQQAfMUEALR8yQQAtHzNBAC0fNEEALR" +
        "81QQAtHzZBAC0fN0EALR84QQAtHzlJAi4PiwIvD4wCLh8xjQIuHzGOAi4fMY8CLh8xkAIuHzGRAi4fMZICLh8xkwIuHzGUAi4fMpQCLh8yIAUv" +
        "D5QCLh8ylAIuHzKUAi4fMpQCLh8ylAIuHzKUAi4fMpQCLh8ylAIuHzOUAi4fM5QCLh8ztQcvD5QCLh8zlAIuHzOUAi4fM5QCLh8zlAIuHzOUAi" +
        "4fM5QCLh80lAIuHzSUAi4fNJQCLh80SgovD5QCLh80lAIuHzSUAi4fNJQCLh80lAIuHzSUAi4fNZQCLh81lAIuHzWUAi4fNZQCLh813wwvD5QC" +
        "Lh81lAIuHzWUAi4fNZQCLh81lAIuHzaUAi4fNpQCLh82lAIuHzaUAi4fNpQCLh82dA8vD5QCLh82lAIuHzaUAi4fNpQCLh83lAIuHzeUAi4fN5" +
        "QCLh83lAIuHzeUAi4fN5QCLh83CRIvD5QCLh83lAIuHzeUAi4fOJQCLh84lAIuHziUAi4fOJQCLh84lAIuHziUAi4fOJQCLh84nhQvD5QCLh84" +
        "lAIuHzmUAi4fOZQCLh85lAIuHzmUAi4fOZQCLh85lAIuHzmUAi4fOZQCLh85MxcvDzQXMA81Fy8fMDYXLx8wNxcvHzA4Fy8fMDkXLx8wOhcvHz" +
        "A7Fy8fMDwXLx8wPRcvHzCeAi8P0xkxD54CLw/VGTAP1hkwD9cZMA/YGTAP2RkwD9oZMA/bGTAP3BkvHzHdGS8vMTJyHDAPngIvD+AZLx8x4Rkv" +
        "HzHiGS8fMeMZLx8x5BkvHzHlGS8fMeYZLx8x5xkvHzHoGS8vMTMRHzAPngIvD+sZLx8x7BkvHzHtGS8fMe4ZLx8x7xkvHzHwGS8fMfEZLx8x8h" +
        "kvHzHzGS8vMTSwITAPngIvD/YZLx8x9xkvHzH4GS8fMfkZLx8x+hkvHzH7GS8fMfwZLx8x/RkvHzH+GS8vMTVPJDAPngIvDwEaLx8xAhovHzED" +
        "Gi8fMQQaLx8xBRovHzEGGi8fMQcaLx8xCBovHzEJGi8vMTbuJjAPngIvDwwaLx8xDRovHzEOGi8fMQ8aLx8xEBovHzERGi8fMRIaLx8xExovHz" +
        "EUGi8vMTeNKTAPngIvDxcaLx8xGBovHzEZGi8fMRoaLx8xGxovHzEcGi8fMR0aLx8xHhovHzEfGi8vMTgsLDAPngIvDyIaLx8xIxovHzEkGi8f" +
        "MSUaLx8xJhovHzEnGi8fMSgaLx8xKRovHzEqGi8vMTnLLjAPngIjUGl0aW9uAAAAAJjtAcE=");

    /// <summary><c>lz4 -BD -B4 --content-size -BX -9</c> of <c>Text(1600)</c> (107,689 bytes: two linked blocks).</summary>
    public static byte[] LinkedBlocks => Convert.FromBase64String(
        "BCJNGFxAqaQBAAAAAAB4rhIAAP8bbGluZSAwIG9mIHRoZSBsejQgZml4dHVyZSwgd2l0aCByZXBldGl0aW9uCwADEQpBAB8xQQAtHzJBAC0fM0" +
        "EALR80QQAtHzVBAC0fNkEALR83QQAtHzhBAC0fOUkCLg+LAi8PjAIuHzGNAi4fMY4CLh8xjwIuHzGQAi4fMZECLh8xkgIuHzGTAi4fMZQCLh8y" +
        "lAIuHzIgBS8PlAIuHzKUAi4fMpQCLh8ylAIuHzKUAi4fMpQCLh8ylAIuHzKUAi4fM5QCLh8zlAIuHzO1By8PlAIuHzOUAi4fM5QCLh8zlAIuHz" +
        "OUAi4fM5QCLh8zlAIuHzSUAi4fNJQCLh80lAIuHzRKCi8PlAIuHzSUAi4fNJQCLh80lAIuHzSUAi4fNJQCLh81lAIuHzWUAi4fNZQCLh81lAIu" +
        "HzXfDC8PlAIuHzWUAi4fNZQCLh81lAIuHzWUAi4fNpQCLh82lAIuHzaUAi4fNpQCLh82lAIuHzZ0Dy8PlAIuHzaUAi4fNpQCLh82lAIuHzeUAi" +
        "4fN5QCLh83lAIuHzeUAi4fN5QCLh83lAIuHzcJEi8PlAIuHzeUAi4fN5QCLh84lAIuHziUAi4fOJQCLh84lAIuHziUAi4fOJQCLh84lAIuHzie" +
        "FC8PlAIuHziUAi4fOZQCLh85lAIuHzmUAi4fOZQCLh85lAIuHzmUAi4fOZQCLh85lAIuHzkzFy8PNBcwDzUXLx8wNhcvHzA3Fy8fMDgXLx8wOR" +
        "cvHzA6Fy8fMDsXLx8wPBcvHzA9Fy8fMJ4CLw/TGTEPngIvD9UZMA/WGTAP1xkwD9gZMA/ZGTAP2hkwD9sZMA/cGS8fMd0ZLy8xMnIcMA+eAi8P" +
        "4BkvHzHhGS8fMeIZLx8x4xkvHzHkGS8fMeUZLx8x5hkvHzHnGS8fMegZLy8xMxEfMA+eAi8P6xkvHzHsGS8fMe0ZLx8x7hkvHzHvGS8fMfAZLx" +
        "8x8RkvHzHyGS8fMfMZLy8xNLAhMA+eAi8P9hkvHzH3GS8fMfgZLx8x+RkvHzH6GS8fMfsZLx8x/BkvHzH9GS8fMf4ZLy8xNU8kMA+eAi8PARov" +
        "HzECGi8fMQMaLx8xBBovHzEFGi8fMQYaLx8xBxovHzEIGi8fMQkaLy8xNu4mMA+eAi8PDBovHzENGi8fMQ4aLx8xDxovHzEQGi8fMREaLx8xEh" +
        "ovHzETGi8fMRQaLy8xN40pMA+eAi8PFxovHzEYGi8fMRkaLx8xGhovHzEbGi8fMRwaLx8xHRovHzEeGi8fMR8aLy8xOCwsMA+eAi8PIhovHzEj" +
        "Gi8fMSQaLx8xJRovHzEmGi8fMScaLx8xKBovHzEpGi8fMSoaLy8xOcsuMA/MLjAPzS4vDywaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8fMi" +
        "waLx8yLBovHzIsGi8vMjFrMTAPngIvDywaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8fMiwaLx8yCDQwDwk0MA8KNDEPngIvDww0MA8NNDAP" +
        "DjQwDw80MA8QNDAPETQwDywaLx8yLBovHzIsGi8vMjOpNjAPngIvDywaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi" +
        "8vMjRIOTAPngIvDywaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8vMjXnOzAPngIvDywaLx8yLBovHzIsGi8fMiwa" +
        "Lx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8vMjaGPjAPngIvDywaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8vMj" +
        "clQTAPngIvDywaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8fMiwaLx8yLBovHzIsGi8vMjjEQzAPngIvDywaLx8yLBovHzIsGi8fMiwaLx8y" +
        "LBovHzIsGi8fMiwaLx8yLBovHzIsGi8vMjljRjAPZEYwD2VGLw8sGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovLz" +
        "MxA0kwD54CLw8sGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovLzMyokswD54CLw8sGi8fMywaLx8zLBovHzMsGi8f" +
        "MywaLx8zLBovHzM+TjAPP04wD0BOMA9BTjEPngIvD0NOMA9ETjAPRU4wD0ZOMA9HTjAPLBovHzMsGi8fMywaLx8zLBovLzM04FAwD54CLw8sGi" +
        "8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovLzM1f1MwD54CLw8sGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovHzMs" +
        "Gi8fMywaLx8zLBovLzM2HlYwD54CLw8sGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovLzM3vVgwD54CLw8sGi8fMy" +
        "waLx8zLBovHzMsGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovLzM4XFswD54CLw8sGi8fMywaLx8zLBovHzMsGi8fMywaLx8zLBovHzMsGi8f" +
        "MywaLx8zLBovLzM5+10wD/xdMA/9XS8PLBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLy80MZtgMA+eAi8PLBovHz" +
        "QsGi8fNCwaLx80LBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLy80MjpjMA+eAi8PLBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLx80LBov" +
        "HzQsGi8fNCwaLy80M9llMA+eAi8PLBovHzQsGi8fNCwaLx80LBovHzQsGi8fNHRoMA91aDAPdmgwD3doMA94aDEPngIvD3poMA97aDAPfGgwD3" +
        "1oMA8sGi8fNCwaLx80LBovHzQsGi8fNCwaLy80NRdrMA+eAi8PLBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLy80" +
        "NrZtMA+eAi8PLBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLy80N1VwMA+eAi8PLBovHzQsGi8fNCwaLx80LBovHz" +
        "QsGi8fNCwaLx80LBovHzQsGi8fNCwaLy80OPRyMA+eAi8PLBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLx80LBovHzQsGi8fNCwaLy80OZN1" +
        "MA+UdTAPlXUvDywaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTEzeDAPngIvDywaLx81LBovHzUsGi8fNSwaLx" +
        "81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTLSejAPngIvDywaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTNx" +
        "fTAPngIvDywaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTQQgDAPngIvDywaLx81LBovHzUsGi8fNSwaLx81qo" +
        "IwD6uCMA+sgjAPrYIwD66CMA+vgjEPngIvD7GCMA+ygjAPs4IwDywaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTZOhTAPngIvDywaLx81" +
        "LBovHzUsGi8fNSwaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTfthzAPngIvDywaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8fNSwaLx" +
        "81LBovHzUsGi8vNTiMijAPngIvDywaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8fNSwaLx81LBovHzUsGi8vNTkrjTAPLI0wDy2NLw8sGi8f" +
        "NiwaLx82LBovHzYsGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovLzYxy48wD54CLw8sGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovHzYsGi" +
        "8fNiwaLx82LBovLzYyapIwD54CLw8sGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovLzYzCZUwD54CLw8sGi8fNiwa" +
        "Lx82LBovHzYsGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovLzY0qJcwD54CLw8sGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovHzYsGi8fNi" +
        "waLx82LBovLzY1R5owD54CLw8sGi8fNiwaLx82LBovHzbgnDAP4ZwwD+KcMA/jnDAP5JwwD+WcMA/mnDEPngIvD+icMA/pnDAPLBovHzYsGi8f" +
        "NiwaLx82LBovHzYsGi8fNiwaLx82LBovLzY3hZ8wD54CLw8sGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovLzY4JK" +
        "IwD54CLw8sGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovHzYsGi8fNiwaLx82LBovLzY5w6QwD8SkMA/FpC8PLBovHzcsGi8fNywaLx83LBov" +
        "HzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83MWOnMA+eAi8PLBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83Mg" +
        "KqMA+eAi8PLBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83M6GsMA+eAi8PLBovHzcsGi8fNywaLx83LBovHzcs" +
        "Gi8fNywaLx83LBovHzcsGi8fNywaLy83NECvMA+eAi8PLBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83Nd+xMA" +
        "+eAi8PLBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83Nn60MA+eAi8PLBovHzcsGi8fNxa3MA8XtzAPGLcwDxm3" +
        "MA8atzAPG7cwDxy3MA8dtzEPngIvDx+3MA8sGi8fNywaLx83LBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83OLy5MA+eAi8PLBovHzcsGi" +
        "8fNywaLx83LBovHzcsGi8fNywaLx83LBovHzcsGi8fNywaLy83OVu8MA9cvDAPXbwvDywaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8fOCwa" +
        "Lx84LBovHzgsGi8vODH7vjAPngIvDywaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8vODKawTAPngIvDywaLx84LB" +
        "ovHzgsGi8fOCwaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8vODM5xDAPngIvDywaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8fOCwaLx84" +
        "LBovHzgsGi8vODTYxjAPngIvDywaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8vODV3yTAPngIvDywaLx84LBovHz" +
        "gsGi8fOCwaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8vODYWzDAPngIvDywaLx84LBovHzgsGi8fOCwaLx84LBovHzgsGi8fOCwaLx84LBov" +
        "HzgsGi8vODe1zjAPngIvDywaLx84TNEwD03RMA9O0TAPT9EwD1DRMA9R0TAPUtEwD1PRMA9U0TEPngIvDywaLx84LBovHzgsGi8fOCwaLx84LB" +
        "ovHzgsGi8fOCwaLx84LBovHzgsGi8vODnz0zAP9NMwD/XTLw8sGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovLzkx" +
        "k9YwD54CLw8sGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovLzkyMtkwD54CLw8sGi8fOSwaLx85LBovHzksGi8fOS" +
        "waLx85LBovHzksGi8fOSwaLx85LBovLzkz0dswD54CLw8sGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovLzk0cN4w" +
        "D54CLw8sGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovLzk1D+EwD54CLw8sGi8fOSwaLx85LBovHzksGi8fOSwaLx" +
        "85LBovHzksGi8fOSwaLx85LBovLzk2ruMwD54CLw8sGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovLzk3TeYwD54C" +
        "Lw8sGi8fOSwaF1BldGl0abt6YK0JDAAAD0MAAQ8sGi8fOSwaLx85LBovHzksGi8fOSwaLx85LBovHzksGi8vOTjs6DAPngIvD4LrMA+D6zAPhO" +
        "swD4XrMA+G6zAPh+swD4jrMA+J6zAPiuswD4vrMQ+M6zEPjeswD47rMQ+P6zEPkOsxD5HrMQ+S6zEPk+sxD5TrMQ+V6zEPluswLzAxNe4xD6gC" +
        "MA+Z6zAfMJrrMB8wm+swHzCc6zAfMJ3rMB8wnuswHzCf6zAfMKDrMB8woeswLzAy3vAxD6gCMA+k6zAfMKXrMB8wpuswHzCn6zAfMKjrMB8wqe" +
        "swHzCq6zAfMKvrMB8wrOswLzAzh/MxD6gCMA+v6zAfMLDrMB8wseswHzCy6zAfMLPrMB8wtOswHzC16zAfMLbrMB8wt+swLzA0MPYxD6gCMA+6" +
        "6zAfMLvrMB8wvOswHzC96zAfML7rMB8wv+swHzDA6zAfMMHrMB8wwuswLzA12fgxD6gCMA/F6zAfMMbrMB8wx+swHzDI6zAfMMnrMB8wyuswHz" +
        "DL6zAfMMzrMB8wzeswLzA2gvsxD6gCMA/Q6zAfMNHrMB8w0uswHzDT6zAfMNTrMB8w1eswHzDW6zAfMNfrMB8w2OswLzA3K/4xD6gCMA/b6zAf" +
        "MNzrMB8w3eswHzDe6zAfMN/rMB8w4OswHzDh6zAfMOLrMB8w4+swHzDk6zAfMOXrMB8w5uswHzDn6zAfMOjrMB8w6eswHzDq6zAfMOvrMB8w7O" +
        "swHzDt6zAfMO7rMB8w7+swHzCQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAf" +
        "MZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkB" +
        "owHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAf" +
        "MZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkB" +
        "owHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAf" +
        "MZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8xkB" +
        "owHzGQGjAfMZAaMB8xkBowHzGQGjAfMZAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAf" +
        "MpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykB" +
        "owHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAf" +
        "MpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykB" +
        "owHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAf" +
        "MpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykB" +
        "owHzKQGjAfMpAaMB8ykBowHzKQGjAfMpAaMB8ykBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAf" +
        "M5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkB" +
        "owHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAf" +
        "M5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkB" +
        "owHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAf" +
        "M5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkB" +
        "owHzOQGjAfM5AaMB8zkBowHzOQGjAfM5AaMB8zkBowHzOQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAf" +
        "NJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kB" +
        "owHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAf" +
        "NJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kB" +
        "owHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAf" +
        "NJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kB" +
        "owHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB80kBowHzSQGjAfNJAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAf" +
        "NZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kB" +
        "owHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAf" +
        "NZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kB" +
        "owHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAf" +
        "NZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kB" +
        "owHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBowHzWQGjAfNZAaMB81kBokUGl0aW9u5K85oQAAAACeNFGh");
}
