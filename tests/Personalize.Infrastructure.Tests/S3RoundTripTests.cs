using System.Text;
using Minio.DataModel.Args;
using Personalize.Testing;
using Xunit;

namespace Personalize.Infrastructure.Tests;

public sealed class S3RoundTripTests(S3Server s3) : IClassFixture<S3Server>
{
    [Fact]
    public async Task PutListGet_RoundTripsThroughMinio()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var bucket = await s3.CreateBucketAsync(cancellationToken: ct);
        var payload = Encoding.UTF8.GetBytes("user_id,item_id\nu1,i1\n");

        using (var upload = new MemoryStream(payload))
        {
            await s3.Client.PutObjectAsync(
                new PutObjectArgs().WithBucket(bucket).WithObject("datasets/interactions.csv")
                    .WithStreamData(upload).WithObjectSize(payload.Length).WithContentType("text/csv"),
                ct);
        }

        // A listing is where s3rver's wrong XML namespace used to make Minio see nothing.
        var keys = new List<string>();
        await foreach (var item in s3.Client.ListObjectsEnumAsync(
            new ListObjectsArgs().WithBucket(bucket).WithPrefix("datasets/").WithRecursive(true), ct))
        {
            keys.Add(item.Key);
        }

        Assert.Equal(["datasets/interactions.csv"], keys);

        using var download = new MemoryStream();
        await s3.Client.GetObjectAsync(
            new GetObjectArgs().WithBucket(bucket).WithObject("datasets/interactions.csv")
                .WithCallbackStream((stream, token) => stream.CopyToAsync(download, token)),
            ct);
        Assert.Equal(payload, download.ToArray());
    }
}
