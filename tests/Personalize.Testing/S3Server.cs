using System.Globalization;
using Minio;
using Minio.DataModel.Args;
using Xunit;

namespace Personalize.Testing;

/// <summary>
/// A real S3 HTTP server (s3rver on node) on a loopback port with a temp data dir, for the
/// lifetime of a test class or collection. Credentials default to s3rver's S3RVER/S3RVER.
/// </summary>
public class S3Server : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private DirectoryInfo? _workDir;
    private OrphanGuard? _workDirGuard;
    private ChildProcess? _server;
    private IMinioClient? _client;

    public S3Server()
        : this("S3RVER", "S3RVER")
    {
    }

    /// <summary>For a subclass fixture with other credentials (xunit fixtures need one public constructor).</summary>
    protected S3Server(string accessKey, string secretKey)
        : this(accessKey, secretKey, "127.0.0.1")
    {
    }

    /// <summary>On another local address, e.g. a <see cref="KubeNode"/>'s bridge, which its pods reach.</summary>
    internal S3Server(string accessKey, string secretKey, string host)
    {
        AccessKey = accessKey;
        SecretKey = secretKey;
        Host = host;
    }

    public string AccessKey { get; }

    public string SecretKey { get; }

    public string Region => "us-east-1";

    public string Host { get; }

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:PORT, path-style (what the operator and trainer are configured with).</summary>
    public string Endpoint => $"http://{Host}:{Port}";

    /// <summary>A client shared by the fixture's users; disposed with the fixture.</summary>
    public IMinioClient Client => _client ?? throw new InvalidOperationException("S3Server is not started.");

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // A half-started fixture must not leave servers or temp dirs behind.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var package = InfraPaths.S3rverPackage;
        var node = InfraPaths.Node;
        _workDir = Directory.CreateTempSubdirectory("personalize-s3-");
        _workDirGuard = OrphanGuard.DeleteOnHostExit(_workDir.FullName);
        var launcher = Path.Combine(_workDir.FullName, "s3rver-launcher.js");
        await using (var resource = typeof(S3Server).Assembly.GetManifestResourceStream("s3rver-launcher.js")
            ?? throw new InvalidOperationException("s3rver-launcher.js resource missing."))
        await using (var file = File.Create(launcher))
        {
            await resource.CopyToAsync(file);
        }

        var data = Directory.CreateDirectory(Path.Combine(_workDir.FullName, "data")).FullName;
        // s3rver's list continuation tokens use DES, which Node's OpenSSL 3 only has in its legacy provider: without
        // it every listing of more than 1,000 keys fails with InternalError on its second page.
        _server = ChildProcess.Start(node, ["--openssl-legacy-provider", launcher, package, data, AccessKey, SecretKey, Host], "s3rver");
        const string marker = "S3RVER_LISTENING ";
        await _server.WaitForOutputAsync(marker, StartTimeout);
        var line = _server.Output.Split('\n').First(l => l.StartsWith(marker, StringComparison.Ordinal));
        Port = int.Parse(line[marker.Length..].Trim(), CultureInfo.InvariantCulture);
        _client = CreateClient();
    }

    /// <summary>A new Minio client for this server (the caller disposes it).</summary>
    public IMinioClient CreateClient() =>
        new MinioClient()
            .WithEndpoint(Host, Port)
            .WithCredentials(AccessKey, SecretKey)
            .WithRegion(Region)
            .WithSSL(false)
            .Build();

    /// <summary>Creates a bucket; with no name, a unique one so tests sharing the server stay apart.</summary>
    public async Task<string> CreateBucketAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var bucket = name ?? $"test-{Guid.NewGuid():N}"[..20];
        await Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), cancellationToken);
        return bucket;
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _client = null;
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }

        if (_workDir is not null)
        {
            _workDir.Delete(recursive: true);
            _workDir = null;
        }

        if (_workDirGuard is not null)
        {
            _workDirGuard.Dispose();
            _workDirGuard = null;
        }

        GC.SuppressFinalize(this);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}
