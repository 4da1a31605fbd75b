using System.Reflection;
using Minio;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Storage;

/// <summary>
/// Reads from the real S3 server through a client that fails the first tries of GetObject as S3 under load does:
/// a dropped connection, and the NullReferenceException the Minio SDK throws for an error response without a body.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class MinioReadRetryTests(S3Server s3)
{
    [Fact]
    public async Task AReadThatFailsBeforeItsBody_IsAskedAgain_AndReturnsTheObject()
    {
        var bucket = await s3.CreateBucketAsync();
        var uri = new S3Uri(bucket, "watermark.json");
        await new MinioObjectStore(s3.CreateClient()).WriteAsync(uri, new MemoryStream("{\"through\":7}"u8.ToArray()), CancellationToken.None);
        var client = FlakyReads.Wrap(s3.CreateClient(), new HttpRequestException("connection reset"), new NullReferenceException());
        using var store = new MinioObjectStore(client);

        await using var read = await store.OpenReadAsync(uri, CancellationToken.None);
        using var text = new StreamReader(read);

        Assert.Equal("{\"through\":7}", await text.ReadToEndAsync());
        Assert.Equal(3, FlakyReads.Of(client).Calls);
    }

    [Fact]
    public async Task AMissingObject_IsNotAskedAgain()
    {
        var bucket = await s3.CreateBucketAsync();
        var client = FlakyReads.Wrap(s3.CreateClient());
        using var store = new MinioObjectStore(client);

        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(new S3Uri(bucket, "absent"), CancellationToken.None));
        Assert.Equal(1, FlakyReads.Of(client).Calls);
    }

    /// <summary>A client that fails GetObject with the given exceptions, one per call, then passes calls to the real one.</summary>
    public class FlakyReads : DispatchProxy
    {
        private IMinioClient _inner = null!;
        private Queue<Exception> _failures = new();

        public int Calls { get; private set; }

        public static IMinioClient Wrap(IMinioClient inner, params Exception[] failures)
        {
            var client = Create<IMinioClient, FlakyReads>();
            var flaky = (FlakyReads)(object)client;
            flaky._inner = inner;
            flaky._failures = new Queue<Exception>(failures);
            return client;
        }

        public static FlakyReads Of(IMinioClient client) => (FlakyReads)(object)client;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IMinioClient.GetObjectAsync))
            {
                Calls++;
                if (_failures.TryDequeue(out var failure))
                {
                    return Task.FromException<Minio.DataModel.ObjectStat>(failure);
                }
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
