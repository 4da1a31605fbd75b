using System.Reflection;
using System.Runtime.CompilerServices;
using Minio;
using Minio.DataModel;
using Minio.DataModel.Args;
using Minio.DataModel.Response;
using Personalize.Data.Storage;
using Personalize.Testing;
using Xunit;

namespace Personalize.Data.Tests.Storage;

/// <summary>
/// Requests to the real S3 server through a client whose first tries fail as S3 under load fails them: a dropped
/// connection, and the NullReferenceException the Minio SDK throws for an error response without a body.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class MinioRetryTests(S3Server s3)
{
    private static readonly Exception[] NoAnswer = [new HttpRequestException("connection reset"), new NullReferenceException()];

    [Fact]
    public async Task AReadThatFailsBeforeItsBody_IsAskedAgain_AndReturnsTheObject()
    {
        var uri = await StoredAsync("watermark.json", "{\"through\":7}");
        var client = FlakyClient.Wrap(s3.CreateClient(), nameof(IMinioClient.GetObjectAsync), NoAnswer);
        using var store = new MinioObjectStore(client);

        await using var read = await store.OpenReadAsync(uri, CancellationToken.None);
        using var text = new StreamReader(read);

        Assert.Equal("{\"through\":7}", await text.ReadToEndAsync());
        Assert.Equal(3, FlakyClient.Of(client).Calls);
    }

    [Fact]
    public async Task AMissingObject_IsNotAskedAgain()
    {
        var bucket = await s3.CreateBucketAsync();
        var client = FlakyClient.Wrap(s3.CreateClient(), nameof(IMinioClient.GetObjectAsync));
        using var store = new MinioObjectStore(client);

        await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.OpenReadAsync(new S3Uri(bucket, "absent"), CancellationToken.None));
        Assert.Equal(1, FlakyClient.Of(client).Calls);
    }

    [Fact]
    public async Task AWrite_ThatFailsWithoutAnAnswer_IsSentAgainWhole()
    {
        var bucket = await s3.CreateBucketAsync();
        var client = FlakyClient.Wrap(s3.CreateClient(), nameof(IMinioClient.PutObjectAsync), NoAnswer);
        using var store = new MinioObjectStore(client);
        var uri = new S3Uri(bucket, "models/v1/manifest.json");

        await store.WriteAsync(uri, new MemoryStream("{\"version\":1}"u8.ToArray()), CancellationToken.None);

        Assert.Equal(3, FlakyClient.Of(client).Calls);
        Assert.Equal("{\"version\":1}", await ReadAsync(uri));
    }

    [Fact]
    public async Task AStatAndADelete_ThatFailWithoutAnAnswer_AreAskedAgain()
    {
        var uri = await StoredAsync("events/0001.jsonl", "{}");
        var stats = FlakyClient.Wrap(s3.CreateClient(), nameof(IMinioClient.StatObjectAsync), NoAnswer);
        var deletes = FlakyClient.Wrap(s3.CreateClient(), nameof(IMinioClient.RemoveObjectAsync), NoAnswer);

        Assert.Equal(2, (await new MinioObjectStore(stats).StatAsync(uri, CancellationToken.None))?.Size);
        await new MinioObjectStore(deletes).DeleteAsync(uri, CancellationToken.None);

        Assert.Equal(3, FlakyClient.Of(stats).Calls);
        Assert.Equal(3, FlakyClient.Of(deletes).Calls);
        Assert.Null(await new MinioObjectStore(s3.CreateClient()).StatAsync(uri, CancellationToken.None));
    }

    [Fact]
    public async Task AListingThatBreaksOffMidway_IsListedAgain_AndGivesEachKeyOnce()
    {
        var bucket = await s3.CreateBucketAsync();
        var keys = Enumerable.Range(0, 5).Select(i => $"events/part-{i:D4}.jsonl").ToList();
        foreach (var key in keys)
        {
            await new MinioObjectStore(s3.CreateClient()).WriteAsync(new S3Uri(bucket, key), new MemoryStream([1]), CancellationToken.None);
        }

        // The first listing breaks off after two keys, the second before any.
        var client = FlakyClient.Wrap(s3.CreateClient(), nameof(IMinioClient.ListObjectsEnumAsync), NoAnswer);
        FlakyClient.Of(client).ListingBreaksAfter = [2, 0];
        using var store = new MinioObjectStore(client);

        var listed = await store.ListAsync(new S3Uri(bucket, "events/"), CancellationToken.None).Select(o => o.Uri.Key).ToListAsync();

        Assert.Equal(keys, listed);
        Assert.Equal(3, FlakyClient.Of(client).Calls);
    }

    private async Task<S3Uri> StoredAsync(string key, string text)
    {
        var uri = new S3Uri(await s3.CreateBucketAsync(), key);
        await new MinioObjectStore(s3.CreateClient()).WriteAsync(uri, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), CancellationToken.None);
        return uri;
    }

    private async Task<string> ReadAsync(S3Uri uri)
    {
        await using var read = await new MinioObjectStore(s3.CreateClient()).OpenReadAsync(uri, CancellationToken.None);
        return await new StreamReader(read).ReadToEndAsync();
    }

    /// <summary>
    /// A client that fails one method's calls with the given exceptions, one per call, then passes them to the real one.
    /// A failed PUT reaches the server and only its answer is lost, so a retry must send the whole stream again; a
    /// listing breaks off after <see cref="ListingBreaksAfter"/>'s count of objects, one count per call.
    /// </summary>
    public class FlakyClient : DispatchProxy
    {
        private IMinioClient _inner = null!;
        private string _method = string.Empty;
        private Queue<Exception> _failures = new();

        public int Calls { get; private set; }

        public int[] ListingBreaksAfter { get; set; } = [];

        public static IMinioClient Wrap(IMinioClient inner, string method, params Exception[] failures)
        {
            var client = Create<IMinioClient, FlakyClient>();
            var flaky = (FlakyClient)(object)client;
            (flaky._inner, flaky._method, flaky._failures) = (inner, method, new Queue<Exception>(failures));
            return client;
        }

        public static FlakyClient Of(IMinioClient client) => (FlakyClient)(object)client;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name != _method)
            {
                return Pass(targetMethod, args);
            }

            Calls++;
            if (!_failures.TryDequeue(out var failure))
            {
                return Pass(targetMethod, args);
            }

            return targetMethod.Name switch
            {
                nameof(IMinioClient.ListObjectsEnumAsync) => BreakOff((IAsyncEnumerable<Item>)Pass(targetMethod, args)!, ListingBreaksAfter[Calls - 1], failure),
                nameof(IMinioClient.PutObjectAsync) => AnswerLostAsync((Task<PutObjectResponse>)Pass(targetMethod, args)!, failure),
                nameof(IMinioClient.StatObjectAsync) or nameof(IMinioClient.GetObjectAsync) => Task.FromException<ObjectStat>(failure),
                _ => Task.FromException(failure),
            };
        }

        private static async Task<PutObjectResponse> AnswerLostAsync(Task<PutObjectResponse> put, Exception failure)
        {
            await put;
            throw failure;
        }

        private static async IAsyncEnumerable<Item> BreakOff(IAsyncEnumerable<Item> listing, int count, Exception failure, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var item in listing.Take(count).WithCancellation(cancellationToken))
            {
                yield return item;
            }

            throw failure;
        }

        private object? Pass(MethodInfo method, object?[]? args)
        {
            try
            {
                return method.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
